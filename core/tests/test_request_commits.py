"""A request commits once: its writes and its session in one transaction.

Each commit waits for its WAL flush, and a sync gunicorn worker serves no one
while it waits (measured at 10 million tasks: 12-16% of the CPU idle during
writes, against 1% for reads). So a changed session (a delete's Undo record,
say) is saved in the request's own transaction (core.middleware), and the save
SessionMiddleware makes after it is skipped as a repeat (core/sessions.py).
Real commits here: no wrapping test transaction.
"""

import re
from datetime import timedelta

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
    # The record is the signed token in the message (tasks/undo.py): nothing
    # else is saved, and the token the Undo button posts puts the task back.
    task = TaskFactory(user=UserFactory())
    client = Client()
    client.force_login(task.user)
    commits.clear()

    deleted = client.post(reverse("tasks:delete", args=[task.pk]))

    assert deleted.status_code == 302
    assert commits == ["default"]
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


def _hot_updates_of_sessions() -> int:
    """Heap-only updates of django_session in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_xact_tuples_hot_updated('django_session'::regclass)")
        return cursor.fetchone()[0]


def test_a_save_keeps_the_expiry_unless_it_moves_by_a_day_so_an_undo_record_adds_no_index_entry():
    # expire_date is indexed: a save that leaves it alone is a HOT update (no new
    # index entries), as a bulk change's Undo record or a taken Undo token makes.
    store = SessionStore()
    store["step"] = 1
    store.create()
    rows = Session.objects.filter(session_key=stored_key(store.session_key))
    saved_an_hour_ago = rows.get().expire_date - timedelta(hours=1)
    rows.update(expire_date=saved_an_hour_ago)

    with transaction.atomic():
        loaded = SessionStore(store.session_key)
        loaded["step"] = 2
        loaded.save()
        assert _hot_updates_of_sessions() == 1
    assert rows.get().expire_date == saved_an_hour_ago
    assert SessionStore(store.session_key)["step"] == 2

    # A day or more behind (the daily refresh, core/session_expiry.py): it moves.
    rows.update(expire_date=saved_an_hour_ago - timedelta(days=1))
    loaded = SessionStore(store.session_key)
    loaded["step"] = 3
    loaded.save()
    assert rows.get().expire_date > saved_an_hour_ago
