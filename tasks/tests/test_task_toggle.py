import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _url(task_id):
    return reverse("tasks:toggle", args=[task_id])


def _completed(task, as_user):
    with as_user(task.user):
        return Task.objects.for_owner(task.user).get(pk=task.pk).completed


def test_it_marks_an_active_task_done(alice_client, alice, as_user):
    task = TaskFactory(user=alice)

    response = alice_client.post(_url(task.pk))

    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:list")
    assert messages_of(response) == ["Task marked as done."]
    assert _completed(task, as_user) is True


def test_it_reopens_a_done_task(alice_client, alice, as_user):
    task = TaskFactory(user=alice, completed=True)

    response = alice_client.post(_url(task.pk))

    assert messages_of(response) == ["Task reopened."]
    assert _completed(task, as_user) is False


def test_it_flips_twice_for_two_posts(alice_client, alice, as_user):
    task = TaskFactory(user=alice)

    alice_client.post(_url(task.pk))
    alice_client.post(_url(task.pk))

    assert _completed(task, as_user) is False


def test_it_flips_in_one_update_without_reading_first(alice_client, alice):
    task = TaskFactory(user=alice)

    with CaptureQueriesContext(connection) as queries:
        alice_client.post(_url(task.pk))

    task_queries = [q["sql"] for q in queries if '"tasks"' in q["sql"]]
    # The write comes first and flips in SQL; the read after it is for the message.
    assert task_queries[0].startswith('UPDATE "tasks" SET "completed" = NOT "tasks"."completed"')
    assert f'"tasks"."user_id" = \'{alice.pk.hex}\'::uuid' in task_queries[0]
    assert all(q.startswith("SELECT") for q in task_queries[1:])


def test_it_goes_back_to_the_same_tab_search_and_page(alice_client, alice):
    task = TaskFactory(user=alice)

    response = alice_client.post(_url(task.pk), {"status": "active", "q": "milk", "page": "2"})

    assert response["Location"] == "/tasks/?status=active&q=milk&page=2"


def test_it_goes_back_to_the_task_when_posted_from_its_page(alice_client, alice):
    task = TaskFactory(user=alice)

    response = alice_client.post(_url(task.pk), {"from": "detail", "q": "milk"})

    assert response["Location"] == f"/tasks/{task.pk}/?q=milk"


@pytest.mark.parametrize(
    "data",
    [
        {"next": "https://evil.example/"},
        {"from": "https://evil.example/"},
        {"status": "//evil.example/", "page": "https://evil.example/"},
        {"status": "active\r\nLocation: https://evil.example/"},
    ],
)
def test_it_never_redirects_off_the_site(alice_client, alice, data):
    task = TaskFactory(user=alice)

    response = alice_client.post(_url(task.pk), data)

    assert response["Location"] == "/tasks/"


def test_it_gives_404_for_another_users_task_and_leaves_it(client, alice, bob, as_user):
    task = TaskFactory(user=alice)
    client.force_login(bob)

    response = client.post(_url(task.pk))

    assert response.status_code == 404
    assert _completed(task, as_user) is False


def test_it_gives_404_for_a_missing_task(alice_client):
    assert alice_client.post(_url(uuid.uuid4())).status_code == 404
    assert alice_client.post("/tasks/not-a-uuid/toggle/").status_code == 404


def test_it_rejects_get(alice_client, alice, as_user):
    task = TaskFactory(user=alice)

    assert alice_client.get(_url(task.pk)).status_code == 405
    assert _completed(task, as_user) is False


def test_it_redirects_anonymous_users_to_login(client, alice, as_user):
    task = TaskFactory(user=alice)

    response = client.post(_url(task.pk))

    assert response["Location"].startswith(reverse("login"))
    assert _completed(task, as_user) is False


def test_it_refuses_a_post_without_csrf_token(alice, as_user):
    task = TaskFactory(user=alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(_url(task.pk)).status_code == 403
    assert _completed(task, as_user) is False
