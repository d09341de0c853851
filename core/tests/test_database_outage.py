"""A database that cannot be reached: the request fails fast with our 503 page, and the
next request reconnects by itself. Real connection failures, so no test transaction."""

import pytest
from django.db import connections
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.urls("core.tests.error_urls")


@pytest.fixture
def outage():
    """`with outage():` the application connection points at a socket nobody listens on."""
    from contextlib import contextmanager

    @contextmanager
    def cut():
        settings_dict = connections["default"].settings_dict
        previous = settings_dict["HOST"]
        connections["default"].close()
        settings_dict["HOST"] = "/nonexistent-socket-dir"
        try:
            yield
        finally:
            settings_dict["HOST"] = previous
            connections["default"].close()

    return cut


def test_an_unreachable_database_answers_503_at_once(committed, outage):
    """A real connection failure (no server on the socket), not a raised exception."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with outage():
        response = client.get("/tasks/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "cannot reach its database" in body and "nonexistent" not in body
    assert client.get("/tasks/").status_code == 200, "the next request reconnects by itself"
