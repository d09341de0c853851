import pytest
from django.test import Client
from django.urls import reverse

from tasks.models import Task
from tasks.tests.conftest import messages_of

pytestmark = pytest.mark.django_db

URL = reverse("tasks:complete_all")


def _states(user, as_user):
    with as_user(user):
        return sorted(Task.objects.for_owner(user).values_list("completed", flat=True))


def test_it_marks_every_task_done_when_some_are_active(
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


def test_it_reopens_every_task_when_all_are_done(alice_client, alice, as_user, make_tasks):
    make_tasks(alice, 1, completed=True)

    response = alice_client.post(URL)

    assert messages_of(response) == ["Reopened 1 task."]
    assert _states(alice, as_user) == [False]


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
