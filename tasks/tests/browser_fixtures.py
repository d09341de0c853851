"""Browser fixtures: the site served on a loopback port, and Debian's Chromium driven by Playwright.

pytest-django's `live_server` cannot be used: its teardown empties tables as the
application role, which may not TRUNCATE. `site_url` serves the site from a
thread instead, on top of the root `committed` fixture, which cleans up as the
administrative role. One browser serves the browser module; each test gets its
own context (cookies, JavaScript on or off).
"""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def site_url(committed, settings):
    """The base URL of the site, served on 127.0.0.1 by a thread of this process."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    # Plain http on loopback: cookies must not ask for https.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module (the browser tests live in one module)."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    # Playwright's sync API keeps an event loop in this thread, and Django refuses
    # ORM calls (factories, clean-up) from a thread with a running loop. Nothing
    # here is async: allow it for this module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, site_url):
    """`new_page(java_script_enabled=False, color_scheme="dark")`: a page in a fresh context."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=site_url, **options)
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
