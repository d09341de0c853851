"""Undo of delete, clear completed, mark all and reopen all: a POST form in the message."""

import re
from datetime import date
from unittest import mock

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks import undo
from tasks.models import ArchivedTask, Task, TrashedTask

pytestmark = pytest.mark.django_db

URL = reverse("tasks:undo")
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _rows(user, as_user, model=Task):
    with as_user(user):
        return sorted(model.objects.for_owner(user).values(), key=lambda row: row["id"])


def _undo_token(client, response) -> str:
    """Follow the action's redirect and read the Undo form in the message."""
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f'<form method="post" action="{URL}" class="message-undo" data-inplace>' in html
    return _TOKEN.search(html).group(1)


def test_undo_of_a_delete_restores_the_task_exactly(alice_client, alice, as_user, make_tasks):
    (task,) = make_tasks(
        alice, 1, description="notes", completed=True, due_date=date(2026, 12, 1), priority=2
    )
    before = _rows(alice, as_user)

    deleted = alice_client.post(reverse("tasks:delete", args=[task.pk]), {"status": "completed"})
    assert _rows(alice, as_user) == []
    token = _undo_token(alice_client, deleted)
    response = alice_client.post(URL, {"token": token})

    assert response["Location"] == "/tasks/?status=completed"
    assert messages_of(response) == ["Restored 1 task."]
    # Same id, title, description, completed flag, times, due date and priority.
    assert _rows(alice, as_user) == before
    assert _rows(alice, as_user, TrashedTask) == []


def test_undo_of_clear_completed_brings_the_archived_tasks_back_exactly(
    alice_client, alice, as_user, make_tasks
):
    make_tasks(alice, 3, completed=True, description="kept", due_date=date(2026, 12, 1), priority=3)
    make_tasks(alice, 1)
    before = _rows(alice, as_user)

    cleared = alice_client.post(reverse("tasks:clear_completed"))
    response = alice_client.post(URL, {"token": _undo_token(alice_client, cleared)})

    assert messages_of(response) == ["Restored 3 tasks from the archive."]
    assert _rows(alice, as_user) == before
    assert _rows(alice, as_user, ArchivedTask) == []


@pytest.mark.parametrize("all_done", [False, True], ids=["mark-all", "reopen-all"])
def test_undo_of_a_bulk_change_restores_each_completed_flag(
    alice_client, alice, as_user, make_tasks, all_done
):
    make_tasks(alice, 2, title="open", completed=all_done)
    make_tasks(alice, 3, title="done", completed=True)
    before = {(r["id"], r["completed"], r["created_at"]) for r in _rows(alice, as_user)}

    changed = alice_client.post(reverse("tasks:complete_all"))
    assert {r["completed"] for r in _rows(alice, as_user)} == {not all_done}
    response = alice_client.post(URL, {"token": _undo_token(alice_client, changed)})

    expected = "Undone: 5 tasks done again." if all_done else "Undone: 2 tasks open again."
    assert messages_of(response) == [expected]
    assert {(r["id"], r["completed"], r["created_at"]) for r in _rows(alice, as_user)} == before


def test_undo_works_once(alice_client, alice, as_user, make_tasks):
    (task,) = make_tasks(alice, 1)
    token = _undo_token(alice_client, alice_client.post(reverse("tasks:delete", args=[task.pk])))
    alice_client.post(URL, {"token": token})

    response = alice_client.post(URL, {"token": token})

    assert messages_of(response)[-1] == "That can no longer be undone."
    assert len(_rows(alice, as_user)) == 1


def test_undo_lasts_well_over_a_minute_and_then_expires(alice_client, alice, as_user, make_tasks):
    first, second = make_tasks(alice, 2)
    with mock.patch("tasks.undo.time.time", return_value=1_000_000.0):
        t1 = _undo_token(alice_client, alice_client.post(reverse("tasks:delete", args=[first.pk])))
        t2 = _undo_token(alice_client, alice_client.post(reverse("tasks:delete", args=[second.pk])))
    with mock.patch("tasks.undo.time.time", return_value=1_000_000.0 + 61):
        assert messages_of(alice_client.post(URL, {"token": t1})) == ["Restored 1 task."]
    with mock.patch("tasks.undo.time.time", return_value=1_000_000.0 + undo.UNDO_SECONDS):
        response = alice_client.post(URL, {"token": t2})
        assert messages_of(response)[-1] == "That can no longer be undone."


@pytest.mark.parametrize("whose", ["bob's", "alice's other"])
def test_a_token_from_another_session_undoes_nothing(
    client, alice, bob, as_user, make_tasks, whose
):
    (task,) = make_tasks(alice, 1)
    client.force_login(alice)
    token = _undo_token(client, client.post(reverse("tasks:delete", args=[task.pk])))
    other = Client()
    other.force_login(bob if whose == "bob's" else alice)

    response = other.post(URL, {"token": token})

    assert messages_of(response) == ["That can no longer be undone."]
    assert _rows(alice, as_user) == []
    assert len(_rows(alice, as_user, TrashedTask)) == 1


def test_a_delete_writes_nothing_but_the_delete(alice_client, alice, as_user, make_tasks):
    # Its Undo record is the signed token in its message, not a session write.
    (task,) = make_tasks(alice, 1)

    with CaptureQueriesContext(connection) as queries:
        deleted = alice_client.post(reverse("tasks:delete", args=[task.pk]))

    # (The test's own transaction wraps the request's in a savepoint.)
    not_writes = ("SELECT", "SAVEPOINT", "RELEASE")
    writes = [q["sql"] for q in queries if q["sql"].split()[0] not in not_writes]
    # One statement: WITH moved AS (DELETE FROM tasks ...) INSERT INTO tasks_trash ...
    assert len(writes) == 1 and "INSERT INTO tasks_trash" in writes[0], writes
    token = _undo_token(alice_client, deleted)
    assert messages_of(alice_client.post(URL, {"token": token})) == ["Restored 1 task."]


def test_a_bulk_change_of_more_tasks_than_a_token_holds_is_kept_in_the_session(
    alice_client, alice, as_user, make_tasks
):
    make_tasks(alice, undo.SIGNED_IDS + 1, completed=True)

    cleared = alice_client.post(reverse("tasks:clear_completed"))
    token = _undo_token(alice_client, cleared)

    assert ":" not in token and token in alice_client.session[undo.SESSION_KEY]
    response = alice_client.post(URL, {"token": token})
    assert messages_of(response) == [f"Restored {undo.SIGNED_IDS + 1} tasks from the archive."]
    again = alice_client.post(URL, {"token": token})
    assert messages_of(again)[-1] == "That can no longer be undone."
    assert _rows(alice, as_user, ArchivedTask) == []


def test_an_altered_signed_token_undoes_nothing(alice_client, alice, as_user, make_tasks):
    (task,) = make_tasks(alice, 1)
    token = _undo_token(alice_client, alice_client.post(reverse("tasks:delete", args=[task.pk])))
    value, stamp, signature = token.rsplit(":", 2)
    forged = signing.dumps({"action": "delete", "ids": [str(task.pk)], "state": {}, "at": 0})

    for altered in (f"{value}x:{stamp}:{signature}", f"{value}:{stamp}:{signature[:-1]}", forged):
        response = alice_client.post(URL, {"token": altered})
        assert messages_of(response)[-1] == "That can no longer be undone."
    assert _rows(alice, as_user) == []


@pytest.mark.parametrize("token", ["", "nope", "x" * 5000])
def test_an_unknown_token_says_so(alice_client, token):
    response = alice_client.post(URL, {"token": token, "status": "active"})

    assert response["Location"] == "/tasks/?status=active"
    assert messages_of(response) == ["That can no longer be undone."]


def test_it_needs_a_post_with_csrf_and_a_signed_in_user(client, alice):
    assert client.post(URL)["Location"].startswith(reverse("login"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(URL).status_code == 403
    strict.force_login(alice)
    assert strict.get(URL).status_code == 405
