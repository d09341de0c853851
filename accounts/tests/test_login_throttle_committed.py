"""Sign-in throttling with real commits: what several gunicorn workers share is the database."""

from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory


def _sign_in(password):
    # A new client each time: nothing is shared but the database.
    return Client().post(reverse("login"), {"username": "alice@example.com", "password": password})


def test_failures_are_committed_so_every_worker_sees_them(committed):
    # No wrapping test transaction: each request commits (or not) on its own,
    # as with several gunicorn workers sharing only the database.
    UserFactory(email="alice@example.com")
    for _ in range(5):
        assert _sign_in("wrong").status_code == 200

    assert _sign_in(PASSWORD).status_code == 429
