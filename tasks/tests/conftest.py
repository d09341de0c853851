"""The browser tests' fixtures (the shared ones are in the root conftest.py)."""

from tasks.tests.browser_fixtures import browser, new_page, site_url  # noqa: F401
