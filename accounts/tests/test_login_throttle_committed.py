"""Sign-in throttling with real commits: what several gunicorn workers share is the database."""

import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import ThrottleEvent, User
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


@pytest.mark.slow  # threads racing on real connections
def test_concurrent_wrong_passwords_never_get_past_the_limit(committed, monkeypatch):
    # Eight sign-ins at once, each on its own database connection, and a slow
    # password check that keeps them all in flight together: without a lock
    # they would all see "4 failures or fewer" and all be tried.
    UserFactory(email="alice@example.com")
    checked = []

    def slow_wrong_password(self, raw_password):
        checked.append(raw_password)
        time.sleep(0.3)
        return False

    monkeypatch.setattr(User, "check_password", slow_wrong_password)
    start = threading.Barrier(8)
    statuses = []

    def attempt():
        try:
            start.wait()
            statuses.append(_sign_in("wrong").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 5 + [429] * 3
    assert len(checked) == 5
    assert ThrottleEvent.objects.count() == 5
