import pytest
from django.db import DataError, IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks import services
from tasks.models import TITLE_MAX_LENGTH, Task

pytestmark = pytest.mark.django_db

URL = reverse("tasks:create")


def _tasks_of(user, as_user):
    with as_user(user):
        return list(Task.objects.for_owner(user).values("title", "description", "completed"))


def test_it_creates_a_task_and_goes_back_to_the_list(alice_client, alice, as_user):
    response = alice_client.post(URL, {"title": "Buy milk", "description": "Two litres"})

    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:list")
    assert messages_of(response) == ["Task added."]
    assert _tasks_of(alice, as_user) == [
        {"title": "Buy milk", "description": "Two litres", "completed": False}
    ]


def test_it_adds_from_the_quick_add_form_keeping_tab_and_search(alice_client, alice, as_user):
    response = alice_client.post(
        URL, {"title": "Buy milk", "status": "active", "q": "milk", "page": "3"}
    )

    # The new task is the newest: first page of the same tab and search.
    assert response["Location"] == "/tasks/?status=active&q=milk"
    assert _tasks_of(alice, as_user) == [
        {"title": "Buy milk", "description": None, "completed": False}
    ]


def test_creating_makes_a_constant_number_of_queries(alice_client, django_assert_num_queries):
    # SAVEPOINT, session, set the RLS user, user, the INSERT, RELEASE, reset the RLS
    # user: no query of Django's own to re-check the CHECK constraints.
    with django_assert_num_queries(7):
        response = alice_client.post(reverse("tasks:create"), {"title": "Buy milk"})

    assert response.status_code == 302


def test_it_shows_the_form(alice_client):
    response = alice_client.get(URL, {"status": "completed"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>New task · todo</title>" in html
    assert 'name="title"' in html and 'name="description"' in html
    assert 'name="completed"' not in html
    assert '<input type="hidden" name="status" value="completed">' in html
    # Cancel goes back to the tab it came from.
    assert '<a class="button button-secondary" href="/tasks/?status=completed">Cancel</a>' in html


def test_it_trims_the_title_and_keeps_the_description_as_typed(alice_client, alice, as_user):
    alice_client.post(URL, {"title": "  Buy milk \t", "description": "  - one\r\n  - two  "})

    assert _tasks_of(alice, as_user) == [
        {"title": "Buy milk", "description": "  - one\n  - two  ", "completed": False}
    ]


def test_it_stores_markup_as_typed(alice_client, alice, as_user):
    alice_client.post(URL, {"title": "<script>alert(1)</script>", "description": "a & b"})

    assert _tasks_of(alice, as_user)[0]["title"] == "<script>alert(1)</script>"
    assert _tasks_of(alice, as_user)[0]["description"] == "a & b"


def test_it_stores_a_blank_description_as_none(alice_client, alice, as_user):
    alice_client.post(URL, {"title": "Buy milk", "description": " \r\n "})

    assert _tasks_of(alice, as_user)[0]["description"] is None


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_it_refuses_a_blank_title(alice_client, alice, as_user, title):
    response = alice_client.post(URL, {"title": title, "description": "kept text"})

    assert response.status_code == 200
    assert response.context["form"].has_error("title", code="required")
    assert "Enter a title." in response.content.decode()
    assert "kept text" in response.content.decode()
    assert _tasks_of(alice, as_user) == []


def test_it_refuses_a_title_over_200_characters_keeping_the_text(alice_client, alice, as_user):
    response = alice_client.post(URL, {"title": "x" * 201})

    assert response.status_code == 200
    assert response.context["form"].has_error("title", code="max_length")
    assert "Keep the title to 200 characters or fewer (it has 201)." in response.content.decode()
    assert 'value="' + "x" * 201 + '"' in response.content.decode()
    assert _tasks_of(alice, as_user) == []


def test_it_accepts_exactly_200_and_1000_characters(alice_client, alice, as_user):
    response = alice_client.post(URL, {"title": "t" * 200, "description": "d" * 1000})

    assert response.status_code == 302
    assert _tasks_of(alice, as_user)[0]["title"] == "t" * 200


def test_it_refuses_a_description_over_1000_characters(alice_client, alice, as_user):
    response = alice_client.post(URL, {"title": "Fine", "description": "d" * 1001})

    assert response.status_code == 200
    assert response.context["form"].has_error("description", code="max_length")
    assert "Keep the description to 1000 characters or fewer (it has 1001)." in (
        response.content.decode()
    )
    assert 'value="Fine"' in response.content.decode()
    assert _tasks_of(alice, as_user) == []


def test_it_counts_a_line_break_as_one_character(alice_client, alice, as_user):
    # What a browser sends for 1000 characters typed with line breaks.
    response = alice_client.post(URL, {"title": "Fine", "description": "a\r\n" * 500})

    assert response.status_code == 302
    assert _tasks_of(alice, as_user)[0]["description"] == "a\n" * 500


def test_it_gives_a_message_per_field_linked_to_its_input(alice_client):
    response = alice_client.post(URL, {"title": " ", "description": "d" * 1001})
    html = response.content.decode()

    assert set(response.context["form"].errors) == {"title", "description"}
    assert 'aria-describedby="id_title_error"' in html
    assert 'id="id_title_error"' in html
    assert 'aria-describedby="id_description_error"' in html


def test_it_refuses_null_characters_without_a_server_error(alice_client, alice, as_user):
    response = alice_client.post(URL, {"title": "a\x00b", "description": "c\x00d"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"title", "description"}
    assert _tasks_of(alice, as_user) == []


def test_it_keeps_tab_and_search_when_the_form_comes_back(alice_client):
    response = alice_client.post(URL, {"title": "", "status": "completed", "q": "milk"})
    html = response.content.decode()

    assert '<input type="hidden" name="status" value="completed">' in html
    assert '<input type="hidden" name="q" value="milk">' in html


def test_it_redirects_anonymous_users_to_login(client):
    response = client.post(URL, {"title": "Sneaky"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_post_without_csrf_token(alice, as_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(URL, {"title": "Forged"})

    assert response.status_code == 403
    assert _tasks_of(alice, as_user) == []


def test_it_rejects_other_methods(alice_client):
    assert alice_client.put(URL).status_code == 405
    assert alice_client.delete(URL).status_code == 405


def test_the_new_page_starts_in_the_title(alice_client):
    # Before: nothing was focused; the title is what everyone types first.
    html = alice_client.get(reverse("tasks:create")).content.decode()

    title = html[html.index('name="title"') - 300 : html.index('name="title"') + 300]
    assert "autofocus" in title
    assert html.count("autofocus") == 1


@pytest.mark.parametrize(
    ("title", "error"),
    [("   ", IntegrityError), ("x" * (TITLE_MAX_LENGTH + 1), DataError)],
)
def test_the_service_trusts_its_caller_and_the_database_refuses_what_slips_through(
    alice, as_user, title, error
):
    # The form validates (above); services do not validate again (tasks/services.py).
    with as_user(alice), pytest.raises(error), transaction.atomic():
        services.task_create(owner=alice, title=title)

    assert _tasks_of(alice, as_user) == []
