"""The quick-add form on the list: it posts to the list itself, so errors stay on the list."""

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.helpers import messages_of, titles_of
from tasks.models import Task

pytestmark = pytest.mark.django_db

URL = reverse("tasks:list")


def test_it_adds_and_returns_to_the_first_page_of_the_same_tab_and_search(
    alice_client, alice, as_user
):
    response = alice_client.post(f"{URL}?status=active&q=milk&page=3", {"title": " Buy milk "})

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=active&q=milk"
    assert messages_of(response) == ["Task added."]
    assert titles_of(alice) == ["Buy milk"]


@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_title_stays_on_the_list_with_a_message_under_the_field(
    alice_client, alice, as_user, make_tasks, title
):
    # Before: Enter on an empty field left the list for the full form's error page.
    make_tasks(alice, 2)

    response = alice_client.post(f"{URL}?status=active", {"title": title})
    html = response.content.decode()

    assert response.status_code == 200
    assert "tasks/task_list.html" in [template.name for template in response.templates]
    assert len(response.context["tasks"]) == 2
    assert response.context["form"].has_error("title", code="required")
    assert '<ul class="errorlist quick-add-error" id="id_title_error">' in html
    assert 'aria-invalid="true"' in html and "autofocus" in html
    assert titles_of(alice) == ["Task 1", "Task 2"]


def test_add_with_details_carries_the_typed_title_and_the_list_state(alice_client, alice, as_user):
    # Before: "Add with details" was a plain link and lost what was typed.
    response = alice_client.post(
        f"{URL}?status=completed&q=x", {"title": "Plan the trip", "details": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/tasks/new/?status=completed&q=x&title=Plan+the+trip"
    assert titles_of(alice) == []
    form_page = alice_client.get(response["Location"])
    assert form_page.context["form"]["title"].value() == "Plan the trip"
    assert 'value="Plan the trip"' in form_page.content.decode()


def test_after_an_add_the_field_is_focused_for_the_next_one(alice_client):
    response = alice_client.post(URL, {"title": "First"}, follow=True)
    html = response.content.decode()

    field = html[html.index('name="title"') - 200 : html.index('name="title"') + 200]
    assert "autofocus" in field


@pytest.mark.parametrize("query", ["?status=completed", "?q=passport", "?status=active&q=passport"])
def test_a_task_added_out_of_view_says_where_it_went_with_a_link(
    alice_client, alice, as_user, query
):
    # Before: "Task added." while the new task was nowhere to be seen.
    response = alice_client.post(URL + query, {"title": "Buy milk"})
    with as_user(alice):
        task = Task.objects.for_owner(alice).get()

    page = alice_client.get(response["Location"])
    html = page.content.decode()

    assert (
        f'Task added to Active tasks; it is not shown here. <a href="/tasks/{task.pk}/">Show it</a>'
    ) in html


def test_a_task_added_in_view_just_says_added(alice_client):
    response = alice_client.post(URL + "?q=milk", {"title": "Buy milk"})

    assert messages_of(response) == ["Task added."]


def test_it_refuses_a_post_without_csrf_token(alice, as_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(URL, {"title": "x"}).status_code == 403
    assert titles_of(alice) == []


def test_anonymous_posts_go_to_login(client):
    assert client.post(URL, {"title": "x"})["Location"].startswith(reverse("login"))
