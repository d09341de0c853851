"""Undo of delete, clear completed, mark all and reopen all: a POST form in the message."""

import re
from datetime import date
from unittest import mock

import pytest
from django.test import Client
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


def test_a_token_from_another_session_undoes_nothing(client, alice, bob, as_user, make_tasks):
    (task,) = make_tasks(alice, 1)
    client.force_login(alice)
    token = _undo_token(client, client.post(reverse("tasks:delete", args=[task.pk])))
    bob_client = Client()
    bob_client.force_login(bob)

    response = bob_client.post(URL, {"token": token})

    assert messages_of(response) == ["That can no longer be undone."]
    assert _rows(alice, as_user) == []
    assert len(_rows(alice, as_user, TrashedTask)) == 1


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
