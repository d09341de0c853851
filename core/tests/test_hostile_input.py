"""No request ends in a 5xx: hostile values in every form field, query parameter,
cookie and header of every URL, signed in or not."""

import pytest
from django.test import Client

from core.tests.site_urls import site_urls
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "username", "password", "email", "name", "image", "password1", "password2",
    "old_password", "new_password1", "new_password2", "everywhere-password", "code",
    "action", "title", "description", "completed", "due_date", "priority", "file",
    "q", "status", "sort", "page", "format", "next", "from",
]  # fmt: skip
HOSTILE_VALUES = [
    "\x00",
    "a\x00b@example.com",
    "x" * 5000,
    "\ud800".encode("utf-8", "surrogatepass"),
]
HOSTILE_COOKIES = [
    "sessionid=abcdefgh\x00ijklmnop; csrftoken=\x00; messages=\x00",
    "sessionid=" + "z" * 5000,
    "sessionid=../../etc/passwd; csrftoken=%00",
    "sessionid=abcdefghijkl\x7f\x01; messages=not-signed",
]
HOSTILE_HEADERS = {
    "HTTP_X_FORWARDED_FOR": "\x00, not-an-ip, 999.1.1.1",
    "HTTP_ACCEPT_LANGUAGE": "\x00" * 50 + ";q=x",
    "HTTP_REFERER": "\x00http://evil.example/",
    "HTTP_USER_AGENT": "\x00" * 10,
    "HTTP_X_REQUEST_ID": "\x00",
    "HTTP_IF_MODIFIED_SINCE": "\x00yesterday",
}


@pytest.fixture
def urls(alice):
    return site_urls(alice, TaskFactory(user=alice, title="Mine"))


def _clients(alice):
    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(alice)
    return {"anonymous": anonymous, "alice": signed_in}


@pytest.mark.slow  # every form and query of the site, four times
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=["nul", "nul-email", "long", "surrogate"])
def test_no_form_or_query_value_gives_a_5xx(alice, urls, value, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for who, client in _clients(alice).items():
        for url in urls.values():
            data = {field: value for field in FIELDS}
            for response in (client.get(url, data), client.post(url, data, **HOSTILE_HEADERS)):
                assert response.status_code < 500, (who, url, response.status_code)
            if who == "alice":
                client.force_login(alice)  # a POST may have signed out


@pytest.mark.parametrize("cookie", HOSTILE_COOKIES, ids=["nul", "long", "path", "control"])
def test_a_garbage_cookie_is_treated_as_absent(urls, cookie):
    client = Client(raise_request_exception=False)
    for url in urls.values():
        response = client.get(url, HTTP_COOKIE=cookie)
        assert response.status_code < 500, (url, response.status_code)
    assert client.get("/", HTTP_COOKIE=cookie).status_code == 200
    assert client.get("/tasks/", HTTP_COOKIE=cookie).url.startswith("/accounts/login/")


def test_a_garbage_host_header_is_a_400(client):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil\x00.example")

    assert response.status_code == 400
