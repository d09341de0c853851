"""Clear completed: archives (never deletes) the completed tasks among those shown, with Undo."""

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.helpers import messages_of, titles_of
from tasks.models import ArchivedTask, Task

pytestmark = pytest.mark.django_db

URL = reverse("tasks:clear_completed")


@pytest.mark.parametrize(
    ("n", "heading"), [(1, "Archive 1 completed task?"), (3, "Archive 3 completed tasks?")]
)
def test_it_shows_how_many_of_the_shown_tasks_and_asks_to_confirm(
    alice_client, alice, make_tasks, n, heading
):
    make_tasks(alice, n, completed=True, title="milk")
    make_tasks(alice, 2, completed=True, title="bread")
    make_tasks(alice, 2, title="milk open")

    response = alice_client.get(URL, {"q": "milk"})
    html = response.content.decode()

    assert response.status_code == 200
    assert response.context["count"] == n
    assert f"<h1>{heading}</h1>" in html
    assert f'<form method="post" action="{URL}">' in html
    assert '<a class="button button-secondary" href="/tasks/?q=milk">Cancel</a>' in html


def test_it_says_when_there_is_nothing_to_clear(alice_client, alice, make_tasks):
    make_tasks(alice, 2)

    response = alice_client.get(URL)

    assert "<h1>No completed tasks</h1>" in response.content.decode()
    assert 'method="post"' not in response.content.decode().split("<main")[1]


def test_it_archives_only_the_users_completed_tasks(alice_client, alice, bob, as_user, make_tasks):
    make_tasks(alice, 2, completed=True, title="done")
    make_tasks(alice, 1, title="open")
    make_tasks(bob, 1, completed=True, title="bob done")

    response = alice_client.post(URL, {"status": "completed", "page": "2"})

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=completed&page=2"
    assert messages_of(response) == ["Archived 2 completed tasks."]
    assert titles_of(alice) == ["open"]
    assert titles_of(alice, ArchivedTask) == ["done", "done"]
    assert titles_of(bob) == ["bob done"]


def test_it_archives_only_what_the_search_shows_on_every_page(
    alice_client, alice, as_user, make_tasks
):
    # Before: "Clear completed" during a search removed every completed task.
    make_tasks(alice, 55, completed=True, title="passport")
    make_tasks(alice, 3, completed=True, title="other")

    response = alice_client.post(URL, {"q": "passport", "page": "1"})

    assert messages_of(response) == ["Archived 55 completed tasks."]
    assert titles_of(alice) == ["other"] * 3


def test_it_keeps_every_column_in_the_archive(alice_client, alice, as_user, make_tasks):
    (task,) = make_tasks(alice, 1, completed=True, description="notes")
    with as_user(alice):
        before = Task.objects.values().get(pk=task.pk)

    alice_client.post(URL)

    with as_user(alice):
        assert ArchivedTask.objects.values().get(pk=task.pk) == before


def test_it_says_so_when_nothing_was_cleared(alice_client, alice, make_tasks):
    make_tasks(alice, 1)

    response = alice_client.post(URL)

    assert messages_of(response) == ["There were no completed tasks to clear."]


def test_it_redirects_anonymous_users_to_login(client, alice, as_user, make_tasks):
    make_tasks(alice, 1, completed=True)

    response = client.post(URL)

    assert response["Location"].startswith(reverse("login"))
    assert titles_of(alice) == ["Task 1"]


def test_it_refuses_a_post_without_csrf_token(alice, as_user, make_tasks):
    make_tasks(alice, 1, completed=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(URL).status_code == 403
    assert titles_of(alice) == ["Task 1"]


def test_it_rejects_other_methods(alice_client):
    assert alice_client.delete(URL).status_code == 405
