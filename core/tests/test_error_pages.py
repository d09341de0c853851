"""Our error pages: each status in the site's layout, nothing internal shown, 5xx logged once
with the request id that the page shows."""

import io
import logging
import uuid

import pytest
from django.test import Client

from core.request_id import HEADER, RequestIdFilter
from tasks.models import Task

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.error_urls")]

LAYOUT = 'class="site-header"'


def _page(response) -> str:
    body = response.content.decode()
    assert LAYOUT in body, "error pages use the site's layout"
    for internal in ("Traceback", "settings.py", "/srv/", "socket", "RuntimeError"):
        assert internal not in body
    return body


@pytest.fixture
def log_output():
    """What the configured console handler writes, captured while the test runs."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_it_shows_our_404_for_an_unknown_page_and_another_users_task(client, alice, bob):
    client.force_login(alice)
    from tasks.tests.factories import TaskFactory

    task = TaskFactory(user=bob)
    for path in ("/no-such-page/", f"/tasks/{task.pk}/", f"/tasks/{uuid.uuid4()}/edit/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "There is nothing here, or it is not yours to see." in _page(response)
        assert "Sign out" in response.content.decode(), "4xx pages know who is signed in"


def test_it_shows_our_405_and_keeps_the_allow_header(client, alice):
    client.force_login(alice)
    response = client.get(f"/tasks/{uuid.uuid4()}/toggle/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This page cannot be used that way." in _page(response)


def test_it_shows_our_400_for_a_host_that_is_not_ours(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "could not be understood" in _page(response)


def test_it_shows_our_429_for_a_bodiless_throttle_response(client):
    response = client.get("/fail/throttled/")
    assert response.status_code == 429
    assert "Please wait a little and try again." in _page(response)


def test_a_csrf_failure_says_the_form_expired_and_links_a_fresh_one(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        "/tasks/new/", {"title": "Typed"}, HTTP_REFERER="http://testserver/tasks/?status=active"
    )
    assert response.status_code == 403
    body = _page(response)
    assert "Your form expired" in body
    assert 'href="http://testserver/tasks/?status=active"' in body
    assert not Task.objects.exists()


def test_a_csrf_failure_never_links_to_another_site(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/tasks/new/", {"title": "x"}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in _page(response)
    assert 'href="/"' in response.content.decode()


def test_a_500_shows_the_request_id_that_the_single_log_entry_carries(log_output):
    client = Client(raise_request_exception=False)
    response = client.get("/fail/crash/")
    assert response.status_code == 500
    request_id = response[HEADER]
    assert f"<code>{request_id}</code>" in _page(response)
    errors = [line for line in log_output.getvalue().splitlines() if " ERROR " in line]
    assert len(errors) == 1
    assert f"[{request_id}] Internal Server Error: /fail/crash/" in errors[0]
    assert "secret internal detail" in log_output.getvalue(), "the traceback goes to the log"


def test_a_lost_database_connection_is_a_503_with_retry_after(log_output):
    client = Client(raise_request_exception=False)
    response = client.get("/fail/database/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = _page(response)
    assert "cannot reach its database" in body
    assert f"<code>{response[HEADER]}</code>" in body
    errors = [line for line in log_output.getvalue().splitlines() if " ERROR " in line]
    assert len(errors) == 1
    assert f"[{response[HEADER]}] Service Unavailable: /fail/database/" in errors[0]


def test_every_response_carries_a_fresh_request_id(client):
    first, second = client.get("/accounts/login/"), client.get("/accounts/login/")
    assert len(first[HEADER]) == 32
    assert first[HEADER] != second[HEADER]


def test_a_request_answered_twice_is_logged_once(rf):
    # The view's error is answered inside the transaction, then the rollback fails on the
    # dead connection and is answered again outside it: Django must log only one of them.
    from django.db import OperationalError

    from core.errors import server_error

    request = rf.get("/tasks/")
    request.request_id = "0123456789abcdef"
    try:
        raise OperationalError("connection lost")
    except OperationalError:
        first, second = server_error(request), server_error(request)
    assert first.status_code == second.status_code == 503
    assert not getattr(first, "_has_been_logged", False)
    assert second._has_been_logged is True
