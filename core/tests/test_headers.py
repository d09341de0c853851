"""Security headers on every URL: CSP without inline code, Permissions-Policy,
and no caching of anything a signed-in user is shown (the export included)."""

import pytest
from django.conf import settings

from core.tests.site_urls import INLINE_SCRIPT, INLINE_STYLE, site_urls
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(alice):
    return site_urls(alice, TaskFactory(user=alice, title="Mine"))


def _assert_policy_headers(response, url):
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
        assert directive in csp, (url, directive)
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"], url
    assert "geolocation=()" in response["Permissions-Policy"], url


def _assert_no_inline_code(response, url):
    if response.get("Content-Type", "").startswith("text/html"):
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page), url
        assert not INLINE_STYLE.search(page), url


def test_every_url_sends_csp_and_permissions_policy_to_anyone(client, urls):
    for url in urls.values():
        response = client.get(url)
        _assert_policy_headers(response, url)
        _assert_no_inline_code(response, url)


def test_every_url_tells_caches_not_to_store_it_when_signed_in(client, alice, urls):
    client.force_login(alice)
    for name, url in urls.items():
        if name in ("logout", "accounts:sign_out_everywhere"):
            continue  # POST only; a GET answers 405 and changes nothing
        response = client.get(url)
        _assert_policy_headers(response, url)
        _assert_no_inline_code(response, url)
        assert "no-store" in response["Cache-Control"], url


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_export_is_never_stored(client, alice, fmt):
    client.force_login(alice)

    response = client.get(f"/accounts/export/?format={fmt}")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_error_page_has_no_inline_code():
    page = (settings.BASE_DIR / "templates" / "500.html").read_text()

    assert not INLINE_SCRIPT.search(page)
    assert not INLINE_STYLE.search(page)
