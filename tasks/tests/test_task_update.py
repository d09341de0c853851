import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(alice):
    return TaskFactory(user=alice, title="Call dentist", description="Schedule cleaning")


def _reload(task, as_user):
    with as_user(task.user):
        return Task.objects.for_owner(task.user).get(pk=task.pk)


def _url(task):
    return reverse("tasks:update", args=[task.pk])


def test_it_shows_the_form_filled_in(alice_client, alice, as_user):
    task = TaskFactory(
        user=alice,
        title="Call dentist",
        description="Schedule cleaning",
        due_date=datetime.date(2026, 12, 3),
        priority=2,
        completed=True,
    )
    response = alice_client.get(_url(task), {"status": "active"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Edit task · todo</title>" in html
    assert 'value="Call dentist"' in html
    assert "Schedule cleaning</textarea>" in html
    assert 'name="due_date" value="2026-12-03"' in html
    assert re.search(r'<option value="2"[^>]* selected>', html)
    assert re.search(r'name="completed"[^>]* checked', html)
    # The version the form was read at, which a save must still find.
    version = re.search(r'name="version" value="([^"]+)"', html).group(1)
    assert datetime.datetime.fromisoformat(version) == _reload(task, as_user).updated_at
    # Cancel is a plain link: leaving the page discards the changes.
    assert '<a class="button button-secondary" href="/tasks/?status=active">Cancel</a>' in html


def test_it_saves_title_description_and_completed(alice_client, task, as_user):
    response = alice_client.post(
        _url(task),
        {"title": " Call the dentist ", "description": "Monday", "completed": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:list")
    assert messages_of(response) == ["Task saved."]
    saved = _reload(task, as_user)
    assert (saved.title, saved.description, saved.completed) == ("Call the dentist", "Monday", True)


def test_saving_makes_a_constant_number_of_queries(alice_client, task, django_assert_num_queries):
    # SAVEPOINT, session, set the RLS user, user, the UPDATE, RELEASE, reset the
    # RLS user: the task is not read first (the conditional UPDATE checks owner and
    # version), and the form, not a ModelForm, asks PostgreSQL nothing about the
    # CHECK constraints, whose rules its fields apply.
    with django_assert_num_queries(7):
        response = alice_client.post(_url(task), {"title": "Call the dentist", "priority": "2"})

    assert response.status_code == 302


def test_it_reopens_a_task_when_completed_is_unticked(alice_client, alice, as_user):
    task = TaskFactory(user=alice, completed=True)

    alice_client.post(_url(task), {"title": task.title})

    assert _reload(task, as_user).completed is False


def test_it_goes_back_to_the_same_tab_search_and_page(alice_client, task):
    response = alice_client.post(
        _url(task), {"title": "New", "status": "completed", "q": "den", "page": "4"}
    )

    assert response["Location"] == "/tasks/?status=completed&q=den&page=4"


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"title": "   "}, "title", "required"),
        ({"title": "x" * 201}, "title", "max_length"),
        ({"title": "Fine", "description": "d" * 1001}, "description", "max_length"),
    ],
)
def test_it_refuses_invalid_input_and_keeps_the_task(
    alice_client, task, as_user, data, field, code
):
    response = alice_client.post(_url(task), {**data, "completed": "on"})

    assert response.status_code == 200
    assert response.context["form"].has_error(field, code=code)
    saved = _reload(task, as_user)
    assert (saved.title, saved.description, saved.completed) == (
        "Call dentist",
        "Schedule cleaning",
        False,
    )


def test_it_keeps_the_typed_text_when_the_form_comes_back(alice_client, task):
    response = alice_client.post(_url(task), {"title": "", "description": "My <new> notes"})

    assert "My &lt;new&gt; notes</textarea>" in response.content.decode()


def test_it_gives_404_for_another_users_task_and_changes_nothing(client, bob, task, as_user):
    client.force_login(bob)

    assert client.get(_url(task)).status_code == 404
    assert client.post(_url(task), {"title": "Hijacked"}).status_code == 404
    assert _reload(task, as_user).title == "Call dentist"


def test_an_invalid_edit_of_another_users_task_is_a_404_not_the_form(client, bob, task):
    # The save is not preceded by a read, so the form is validated first: its
    # errors must not show for a task bob cannot see (that would say it exists).
    client.force_login(bob)

    response = client.post(_url(task), {"title": "   "})

    assert response.status_code == 404
    assert "Call dentist" not in response.content.decode()


def test_it_redirects_anonymous_users_to_login(client, task):
    response = client.post(_url(task), {"title": "Anon"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_post_without_csrf_token(alice, task, as_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(_url(task), {"title": "Forged"}).status_code == 403
    assert _reload(task, as_user).title == "Call dentist"


def test_it_rejects_other_methods(alice_client, task):
    assert alice_client.put(_url(task)).status_code == 405


def test_the_edit_page_starts_in_the_title_unless_another_field_has_an_error(alice_client, alice):
    # Before: nothing was focused on the edit page.
    task = TaskFactory(user=alice)
    url = reverse("tasks:update", args=[task.pk])

    html = alice_client.get(url).content.decode()
    invalid = alice_client.post(url, {"title": "ok", "description": "x" * 1001}).content.decode()

    assert html.count("autofocus") == 1
    assert "autofocus" in html[html.index('name="title"') - 300 : html.index('name="title"') + 300]
    assert invalid.count("autofocus") == 1
    assert "autofocus" in invalid[invalid.index('name="description"') - 300 :]
