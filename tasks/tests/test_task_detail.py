import uuid

import pytest
from django.urls import reverse

from core.tests.helpers import without_csrf_tokens
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_task(alice_client, alice):
    task = TaskFactory(user=alice, title="Call dentist", description="Schedule cleaning")

    response = alice_client.get(reverse("tasks:detail", args=[task.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Call dentist · todo</title>" in html
    assert '<h1 class="task-title">Call dentist</h1>' in html
    assert "Schedule cleaning" in html
    assert f'action="/tasks/{task.pk}/edit/' not in html  # editing is a link to its own page
    assert f'href="/tasks/{task.pk}/edit/"' in html


def test_it_shows_line_breaks_and_escapes_text(alice_client, alice):
    task = TaskFactory(user=alice, title="<img src=x onerror=alert(1)>", description="one\ntwo<br>")

    response = alice_client.get(reverse("tasks:detail", args=[task.pk]))
    html = response.content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "one<br>two&lt;br&gt;" in html


def test_it_links_back_to_the_same_tab_search_and_page(alice_client, alice):
    task = TaskFactory(user=alice)

    response = alice_client.get(
        reverse("tasks:detail", args=[task.pk]), {"status": "active", "q": "x", "page": "2"}
    )
    html = response.content.decode()

    assert 'href="/tasks/?status=active&amp;q=x&amp;page=2">← Back to your tasks' in html
    # Toggling from here comes back here.
    assert '<input type="hidden" name="from" value="detail">' in html


def test_it_gives_the_same_404_for_another_users_a_missing_and_a_malformed_id(alice_client, bob):
    bobs = TaskFactory(user=bob)

    responses = [
        alice_client.get(f"/tasks/{bobs.pk}/"),
        alice_client.get(f"/tasks/{uuid.uuid4()}/"),
        alice_client.get("/tasks/not-a-uuid/"),
        alice_client.get(f"/tasks/{bobs.pk}x/"),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    pages = {without_csrf_tokens(r) for r in responses}
    assert len(pages) == 1
    assert "Not found" in pages.pop()


def test_it_redirects_anonymous_users_to_login(client, alice):
    task = TaskFactory(user=alice)

    response = client.get(reverse("tasks:detail", args=[task.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_makes_a_constant_number_of_queries(alice_client, alice, django_assert_num_queries):
    task = TaskFactory(user=alice, description="x\n" * 400)

    # SAVEPOINT, session, user, set the RLS user, the task, reset the RLS user, RELEASE
    with django_assert_num_queries(7):
        alice_client.get(reverse("tasks:detail", args=[task.pk]))


def test_its_delete_button_is_a_danger_button_posting_directly(alice_client, alice):
    # Before: Delete was green (secondary) here and red in the list.
    task = TaskFactory(user=alice)

    html = alice_client.get(reverse("tasks:detail", args=[task.pk])).content.decode()

    assert f'<form method="post" action="/tasks/{task.pk}/delete/" class="inline-form">' in html
    assert '<button type="submit" class="button-danger">Delete</button>' in html
