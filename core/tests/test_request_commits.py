"""A request commits once: its writes and its session in one transaction.

Each commit waits for its WAL flush, and a sync gunicorn worker serves no one
while it waits (measured at 10 million tasks: 12-16% of the CPU idle during
writes, against 1% for reads). So a changed session (a delete's Undo record,
say) is saved in the request's own transaction (core.middleware), and the save
SessionMiddleware makes after it is skipped as a repeat (core/sessions.py).
Real commits here: no wrapping test transaction.
"""

import re

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from core.rls import user_context
from core.sessions import SessionStore, stored_key
from core.tests.helpers import messages_of
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.usefixtures("committed")


@pytest.fixture
def commits(monkeypatch):
    """The aliases of the connections that committed, in order."""
    seen = []
    real_commit = BaseDatabaseWrapper.commit

    def counted(connection):
        seen.append(connection.alias)
        real_commit(connection)

    monkeypatch.setattr(BaseDatabaseWrapper, "commit", counted)
    return seen


def test_a_delete_and_its_undo_record_take_one_commit(commits):
    task = TaskFactory(user=UserFactory())
    client = Client()
    client.force_login(task.user)
    commits.clear()

    deleted = client.post(reverse("tasks:delete", args=[task.pk]))

    assert deleted.status_code == 302
    assert commits == ["default"]
    # The record saved in that commit is the one the Undo button finds.
    page = client.get(deleted["Location"]).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    restored = client.post(reverse("tasks:undo"), {"token": token})
    assert messages_of(restored) == ["Restored 1 task."]
    with user_context(task.user_id):
        assert Task.objects.filter(pk=task.pk).exists()


def test_a_request_that_changes_no_session_saves_none(commits):
    task = TaskFactory(user=UserFactory())
    client = Client()
    client.force_login(task.user)
    commits.clear()

    response = client.post(reverse("tasks:toggle", args=[task.pk]), {"completed": "true"})

    assert response.status_code == 302
    assert commits == ["default"]


def test_signing_in_still_sets_a_working_session_cookie(commits):
    # Sign-in rotates the session key (a new row) and then writes the user into it:
    # the cookie SessionMiddleware sets must name the row saved in the request.
    user = UserFactory()
    client = Client()

    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("tasks:list")).status_code == 200


def test_a_session_save_is_one_update_and_a_vanished_row_leaves_the_transaction_usable():
    # Saved inside the request's transaction, Django's own save would add a
    # savepoint around its UPDATE (two more round trips). Without it, a row deleted
    # meanwhile (a sign-out in another tab) must still fail as Django's does
    # (UpdateError, for SessionMiddleware) and must not doom the request's writes.
    store = SessionStore()
    store["step"] = 1
    store.create()
    loaded = SessionStore(store.session_key)
    assert loaded["step"] == 1
    with transaction.atomic():
        loaded["step"] = 2
        with CaptureQueriesContext(connection) as queries:
            loaded.save()
        assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"]
        Session.objects.filter(session_key=stored_key(store.session_key)).delete()
        loaded["step"] = 3
        with pytest.raises(UpdateError):
            loaded.save()
        assert not transaction.get_rollback()
        assert not Session.objects.filter(session_key=stored_key(store.session_key)).exists()
