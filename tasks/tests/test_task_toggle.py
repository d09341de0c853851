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


def test_it_flips_in_one_update_that_returns_the_state_it_wrote(alice_client, alice):
    task = TaskFactory(user=alice)

    with CaptureQueriesContext(connection) as queries:
        alice_client.post(_url(task.pk))

    task_queries = [q["sql"] for q in queries if "tasks" in q["sql"]]
    # One statement: the flip happens in SQL and says what it wrote; no read before or after.
    expected = (
        "UPDATE tasks SET completed = NOT completed "
        "WHERE id = '{}'::uuid AND user_id = '{}'::uuid RETURNING completed"
    )
    assert task_queries == [expected.format(task.pk.hex, alice.pk.hex)]


def test_it_sets_the_state_the_page_asked_for_however_often_it_is_sent(
    alice_client, alice, as_user
):
    task = TaskFactory(user=alice)

    for _ in range(3):  # a double click, a retry, a second tab showing the same old state
        response = alice_client.post(_url(task.pk), {"completed": "true"}, follow=True)
        assert messages_of(response) == ["Task marked as done."]
    assert _completed(task, as_user) is True

    response = alice_client.post(_url(task.pk), {"completed": "false"}, follow=True)
    assert messages_of(response) == ["Task reopened."]
    assert _completed(task, as_user) is False


def test_asking_for_the_state_a_task_has_leaves_its_version_alone(alice_client, alice, as_user):
    task = TaskFactory(user=alice, completed=True)
    with as_user(alice):
        before = Task.objects.get(pk=task.pk).updated_at

    alice_client.post(_url(task.pk), {"completed": "true"})

    with as_user(alice):
        assert Task.objects.get(pk=task.pk).updated_at == before


def test_the_list_asks_for_the_opposite_of_the_state_it_shows(alice_client, alice):
    TaskFactory(user=alice, title="Open one")
    TaskFactory(user=alice, title="Done one", completed=True)

    body = alice_client.get(reverse("tasks:list")).content.decode()

    assert body.count('name="completed" value="true"') == 1
    assert body.count('name="completed" value="false"') == 1


@pytest.mark.parametrize("value", ["", "yes", "1", "TRUE", "maybe"])
def test_an_unknown_desired_state_is_refused_and_changes_nothing(
    alice_client, alice, as_user, value
):
    task = TaskFactory(user=alice)

    response = alice_client.post(_url(task.pk), {"completed": value})

    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()
    assert _completed(task, as_user) is False


def test_a_desired_state_for_another_users_task_is_404(client, alice, bob, as_user):
    task = TaskFactory(user=alice)
    client.force_login(bob)

    assert client.post(_url(task.pk), {"completed": "true"}).status_code == 404
    assert _completed(task, as_user) is False


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
