"""Mark all as done / Reopen all: on exactly the shown tasks (tab and search, every page)."""

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks.models import Task

pytestmark = pytest.mark.django_db

URL = reverse("tasks:complete_all")


def _states(user, as_user, **filters):
    with as_user(user):
        tasks = Task.objects.for_owner(user).filter(**filters)
        return sorted(tasks.values_list("completed", flat=True))


def test_it_marks_every_shown_task_done_when_some_are_active(
    alice_client, alice, bob, as_user, make_tasks
):
    make_tasks(alice, 2)
    make_tasks(alice, 1, completed=True)
    make_tasks(bob, 1)

    response = alice_client.post(URL, {"status": "active", "q": "task"})

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=active&q=task"
    assert messages_of(response) == ["Marked 2 tasks as done."]
    assert _states(alice, as_user) == [True, True, True]
    assert _states(bob, as_user) == [False]


def test_it_marks_only_the_search_results_done(alice_client, alice, as_user, make_tasks):
    # The reported bug: a search for "passport" (1 match) marked 55 tasks done.
    make_tasks(alice, 1, title="Renew passport")
    make_tasks(alice, 54, title="something else")

    response = alice_client.post(URL, {"q": "passport"})

    assert messages_of(response) == ["Marked 1 task as done."]
    assert _states(alice, as_user, title="Renew passport") == [True]
    assert _states(alice, as_user, title="something else") == [False] * 54


def test_it_reopens_only_the_shown_tasks_when_all_shown_are_done(
    alice_client, alice, as_user, make_tasks
):
    # The reported bug: "Reopen all" reopened tasks the search did not show.
    make_tasks(alice, 1, completed=True, title="Renew passport")
    make_tasks(alice, 3, completed=True, title="done before")
    make_tasks(alice, 2, title="open")

    response = alice_client.post(URL, {"q": "passport"})

    assert messages_of(response) == ["Reopened 1 task."]
    assert _states(alice, as_user, title="done before") == [True, True, True]
    assert _states(alice, as_user, title="Renew passport") == [False]


def test_on_the_completed_tab_it_reopens_the_completed_tasks(
    alice_client, alice, as_user, make_tasks
):
    make_tasks(alice, 2, completed=True)
    make_tasks(alice, 1)

    response = alice_client.post(URL, {"status": "completed"})

    assert messages_of(response) == ["Reopened 2 tasks."]
    assert _states(alice, as_user) == [False, False, False]


def test_it_acts_on_every_page_not_only_the_one_shown(alice_client, alice, as_user, make_tasks):
    make_tasks(alice, 120)

    response = alice_client.post(URL, {"page": "2"})

    assert messages_of(response) == ["Marked 120 tasks as done."]
    assert set(_states(alice, as_user)) == {True}


def test_it_says_so_when_there_are_no_tasks(alice_client):
    response = alice_client.post(URL)

    assert messages_of(response) == ["There are no tasks to change."]


def test_it_rejects_get(alice_client, alice, as_user, make_tasks):
    make_tasks(alice, 1)

    assert alice_client.get(URL).status_code == 405
    assert _states(alice, as_user) == [False]


def test_it_redirects_anonymous_users_to_login(client, alice, as_user, make_tasks):
    make_tasks(alice, 1)

    response = client.post(URL)

    assert response["Location"].startswith(reverse("login"))
    assert _states(alice, as_user) == [False]


def test_it_refuses_a_post_without_csrf_token(alice, as_user, make_tasks):
    make_tasks(alice, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(URL).status_code == 403
    assert _states(alice, as_user) == [False]
