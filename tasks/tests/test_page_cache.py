"""The list page kept as rendered until the user's tasks change (tasks/page_cache.py)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from core.tests.helpers import signed_in_client, submit_buttons
from tasks import services
from tasks.models import Task

URL = reverse("tasks:list")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMIT = re.compile(r'name="submit_token" value="([^"]+)"')


def _page(client, params=None) -> str:
    response = client.get(URL, params or {})
    assert response.status_code == 200
    return response.content.decode()


def _without_tokens(html: str) -> str:
    return SUBMIT.sub("", TOKEN.sub("", html))


def test_a_list_seen_again_is_served_without_reading_its_tasks(
    alice_client, alice, make_tasks, django_assert_num_queries
):
    make_tasks(alice, 60)
    first = _page(alice_client, {"status": "active"})

    # SAVEPOINT, session, user, set the RLS user, the version of alice's tasks,
    # reset the RLS user, RELEASE: no count, no row, no rendering.
    with django_assert_num_queries(7):
        again = _page(alice_client, {"status": "active"})

    assert _without_tokens(again) == _without_tokens(first)
    assert "Task 60" in again


def _rename_first(alice, as_user):
    with as_user(alice):
        task = Task.objects.for_owner(alice).get(title="Task 1")
        services.task_rename(task=task, title="Renamed")


def _toggle_first(alice, as_user):
    with as_user(alice):
        task = Task.objects.for_owner(alice).get(title="Task 1")
        services.task_toggle(owner=alice, task_id=task.pk)


def _delete_first(alice, as_user):
    with as_user(alice):
        task = Task.objects.for_owner(alice).get(title="Task 1")
        services.task_delete(owner=alice, task_id=task.pk)


def _create(alice, as_user):
    with as_user(alice):
        services.task_create(owner=alice, title="Brand new")


def _plain_sql_due_date(alice, as_user):
    # Any statement counts, not only the services': here the ORM's bulk UPDATE.
    with as_user(alice):
        Task.objects.for_owner(alice).filter(title="Task 1").update(
            due_date=datetime(2031, 5, 17).date()
        )


def _clear_completed(alice, as_user):
    # Moves the row to tasks_archive: a DELETE from tasks.
    with as_user(alice):
        tasks = Task.objects.for_owner(alice)
        tasks.filter(title="Task 1").update(completed=True)
        services.task_clear_completed(owner=alice, tasks=tasks)


@pytest.mark.parametrize(
    ("write", "shows"),
    [
        (_rename_first, lambda html: "Renamed" in html),
        (_toggle_first, lambda html: "1 item left" in html),
        (_delete_first, lambda html: ">Task 1<" not in html),
        (_create, lambda html: "Brand new" in html),
        (_plain_sql_due_date, lambda html: "17 May 2031" in html),
        (_clear_completed, lambda html: ">Task 1<" not in html),
    ],
    ids=["rename", "toggle", "delete", "create", "plain-update", "clear-completed"],
)
def test_every_write_to_the_tasks_shows_on_the_next_view(
    alice_client, alice, as_user, make_tasks, write, shows
):
    make_tasks(alice, 2)
    _page(alice_client)
    before = _page(alice_client)
    assert not shows(before)

    write(alice, as_user)

    assert shows(_page(alice_client))


def test_each_view_carries_its_own_csrf_and_submit_tokens_and_they_work(alice, make_tasks):
    make_tasks(alice, 3)
    client = signed_in_client(alice, enforce_csrf_checks=True)
    first, second = _page(client), _page(client)

    # Masked anew for each response, as Django does; one-time submit tokens differ.
    assert TOKEN.findall(first)[0] != TOKEN.findall(second)[0]
    assert SUBMIT.findall(first) != SUBMIT.findall(second)
    assert len(set(TOKEN.findall(second))) == 1

    response = client.post(
        URL,
        {
            "csrfmiddlewaretoken": TOKEN.findall(second)[0],
            "submit_token": SUBMIT.findall(second)[0],
            "title": "Added from a kept page",
        },
    )

    assert response.status_code == 302
    assert "Added from a kept page" in _page(client)


def test_a_kept_pages_row_buttons_post_with_its_fresh_token(alice, as_user, make_tasks):
    # The rows' one form (tasks/jinja2/tasks/_task_parts.html) holds the page's token:
    # a hole in the kept page, filled anew for each response.
    (task,) = make_tasks(alice, 1)
    client = signed_in_client(alice, enforce_csrf_checks=True)
    first, second = _page(client), _page(client)
    toggle = next(b for b in submit_buttons(second) if b["url"].endswith("/toggle/"))

    assert toggle["form"] == "task-row-actions"
    assert toggle["data"]["csrfmiddlewaretoken"] not in first
    assert toggle["data"]["csrfmiddlewaretoken"] in TOKEN.findall(second)
    response = client.post(toggle["url"], toggle["data"])

    assert response.status_code == 302
    with as_user(alice):
        assert Task.objects.for_owner(alice).get(pk=task.pk).completed is True


def test_query_parameters_outside_the_list_state_make_no_new_page(
    alice_client, alice, make_tasks, django_assert_num_queries
):
    make_tasks(alice, 3)
    first = _page(alice_client, {"status": "active"})

    # Served as kept (7 queries: see the first test), not rendered again.
    with django_assert_num_queries(7):
        again = _page(alice_client, {"status": "active", "utm_source": "mail", "x": "1"})

    assert _without_tokens(again) == _without_tokens(first)


def test_a_user_never_gets_another_users_kept_page(alice, bob, make_tasks):
    make_tasks(alice, 2, title="Alice task")
    make_tasks(bob, 2, title="Bob task")
    alice_client, bob_client = signed_in_client(alice), signed_in_client(bob)

    for _ in range(2):
        alice_page, bob_page = _page(alice_client), _page(bob_client)
        assert "Alice task" in alice_page and "Bob task" not in alice_page
        assert "Bob task" in bob_page and "Alice task" not in bob_page


def test_the_layout_follows_the_user(alice_client, alice, as_user, make_tasks):
    make_tasks(alice, 1)
    _page(alice_client)

    alice.name = "Alice Liddell"
    with as_user(alice):
        alice.save(update_fields=["name"])

    assert "Alice Liddell" in _page(alice_client)


def test_a_page_with_messages_shows_them_once(alice_client, alice, make_tasks):
    make_tasks(alice, 1)
    _page(alice_client)
    alice_client.post(URL, {"title": "Call mum"})

    with_message = _page(alice_client)
    after = _page(alice_client)

    assert "Call mum" in with_message and "Call mum" in after
    assert "message-success" in with_message
    assert "message-success" not in after


def test_a_new_day_gives_new_day_labels(alice_client, alice, make_tasks, monkeypatch):
    tuesday = datetime(2031, 5, 13, 12, tzinfo=UTC)
    monkeypatch.setattr("core.clock.now", lambda: tuesday)
    make_tasks(alice, 1, due_date=tuesday.date() + timedelta(days=1))
    assert "Tomorrow" in _page(alice_client)

    monkeypatch.setattr("core.clock.now", lambda: tuesday + timedelta(days=1))

    page = _page(alice_client)
    assert "Tomorrow" not in page and "Today" in page
