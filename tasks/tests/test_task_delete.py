import uuid

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _url(task_id):
    return reverse("tasks:delete", args=[task_id])


def _exists(task, as_user):
    with as_user(task.user):
        return Task.objects.for_owner(task.user).filter(pk=task.pk).exists()


def test_it_asks_to_confirm_first(alice_client, alice, as_user):
    task = TaskFactory(user=alice, title="Call <dentist>")

    response = alice_client.get(_url(task.pk), {"status": "completed"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Delete task · todo</title>" in html
    assert "“Call &lt;dentist&gt;”" in html
    assert f'<form method="post" action="/tasks/{task.pk}/delete/">' in html
    assert '<input type="hidden" name="status" value="completed">' in html
    assert '<a class="button button-secondary" href="/tasks/?status=completed">Cancel</a>' in html
    assert _exists(task, as_user)


def test_it_deletes_on_post_and_goes_back(alice_client, alice, as_user):
    task = TaskFactory(user=alice)
    other = TaskFactory(user=alice)

    response = alice_client.post(_url(task.pk), {"status": "active", "q": "a", "page": "2"})

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=active&q=a&page=2"
    assert messages_of(response) == ["Task deleted."]
    assert not _exists(task, as_user)
    assert _exists(other, as_user)


def test_it_gives_404_for_another_users_task_and_keeps_it(client, alice, bob, as_user):
    task = TaskFactory(user=alice)
    client.force_login(bob)

    assert client.get(_url(task.pk)).status_code == 404
    assert client.post(_url(task.pk)).status_code == 404
    assert _exists(task, as_user)


def test_it_gives_404_for_a_missing_or_already_deleted_task(alice_client, alice):
    task = TaskFactory(user=alice)
    alice_client.post(_url(task.pk))

    assert alice_client.post(_url(task.pk)).status_code == 404
    assert alice_client.get(_url(uuid.uuid4())).status_code == 404


def test_it_redirects_anonymous_users_to_login(client, alice, as_user):
    task = TaskFactory(user=alice)

    response = client.post(_url(task.pk))

    assert response["Location"].startswith(reverse("login"))
    assert _exists(task, as_user)


def test_it_refuses_a_post_without_csrf_token(alice, as_user):
    task = TaskFactory(user=alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(_url(task.pk)).status_code == 403
    assert _exists(task, as_user)


def test_it_rejects_other_methods(alice_client, alice):
    task = TaskFactory(user=alice)

    assert alice_client.delete(_url(task.pk)).status_code == 405
