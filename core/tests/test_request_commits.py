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
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from core.rls import user_context
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
