"""Property-based input tests for every task form and every task URL taking an id or a
query parameter: never a 5xx; text is either stored exactly as typed (and rendered escaped)
or refused with a message, with nothing saved. Bounded by the "todo" profile (conftest.py)."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from core.rls import user_context
from core.tests.strategies import (
    INVALID_UTF8_BODIES,
    page_numbers,
    path_segments,
    rolled_back,
    texts,
    url_segment,
    with_edge_examples,
)
from tasks.forms import is_blank
from tasks.models import Task
from tasks.tests.factories import TaskFactory

# Ten generated examples per property, each a few requests: `slow`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CREATE = reverse("tasks:create")
LIST = reverse("tasks:list")
_VERSION = re.compile(r'name="version" value="([^"]+)"')
enum_values = st.one_of(
    st.sampled_from(["all", "active", "completed", "today", "upcoming", "ALL", " active"]), texts
)


def _stored_title(typed: str) -> str:
    return typed.strip()


def _stored_description(typed: str) -> str | None:
    return None if is_blank(typed) else typed.replace("\r\n", "\n").replace("\r", "\n")


def _tasks(user) -> list[Task]:
    with user_context(user.pk):
        return list(Task.objects.for_owner(user))


def _assert_refused_with_a_message(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html or 'class="form-errors"' in html


def _assert_stored_exactly_and_shown_escaped(client, task, title, description):
    assert task.title == _stored_title(title)
    assert task.description == _stored_description(description)
    html = client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert f'<h1 class="task-title">{escape(task.title)}</h1>' in html


@with_edge_examples("title", "description")
@given(title=texts, description=texts)
def test_add_with_details_stores_exactly_or_refuses(alice_client, alice, title, description):
    with rolled_back():
        response = alice_client.post(CREATE, {"title": title, "description": description})
        assert response.status_code < 500
        tasks = _tasks(alice)
        if response.status_code == 302:
            (task,) = tasks
            _assert_stored_exactly_and_shown_escaped(alice_client, task, title, description)
        else:
            _assert_refused_with_a_message(response)
            assert tasks == []


@given(title=texts, status=enum_values, q=texts, page=page_numbers, token=texts)
def test_quick_add_on_the_list_with_any_list_state_and_token(
    alice_client, alice, title, status, q, page, token
):
    query = urlencode({"status": status, "q": q, "page": page})
    with rolled_back():
        response = alice_client.post(f"{LIST}?{query}", {"title": title, "submit_token": token})
        assert response.status_code < 500
        if response.status_code == 302:
            assert response["Location"].startswith("/tasks/")
            assert [t.title for t in _tasks(alice)] == [_stored_title(title)]
        else:
            _assert_refused_with_a_message(response)
            assert _tasks(alice) == []


@with_edge_examples("title", "description", completed="on")
@given(title=texts, description=texts, completed=st.sampled_from(["", "on", "off", "x"]))
def test_edit_stores_exactly_or_refuses_and_keeps_the_task(
    alice_client, alice, title, description, completed
):
    with rolled_back():
        task = TaskFactory(user=alice, title="Original", description="Kept")
        url = reverse("tasks:update", args=[task.pk])
        version = _VERSION.search(alice_client.get(url).content.decode()).group(1)
        response = alice_client.post(
            url,
            {
                "title": title,
                "description": description,
                "completed": completed,
                "version": version,
            },
        )
        assert response.status_code < 500
        (stored,) = _tasks(alice)
        if response.status_code == 302:
            _assert_stored_exactly_and_shown_escaped(alice_client, stored, title, description)
        else:
            _assert_refused_with_a_message(response)
            assert (stored.title, stored.description) == ("Original", "Kept")


@given(version=texts)
def test_edit_with_any_version_saves_only_the_read_one(alice_client, alice, version):
    with rolled_back():
        task = TaskFactory(user=alice, title="Original")
        response = alice_client.post(
            reverse("tasks:update", args=[task.pk]), {"title": "Changed", "version": version}
        )
        assert response.status_code in (200, 302, 409)
        (stored,) = _tasks(alice)
        saved = response.status_code == 302
        assert stored.title == ("Changed" if saved else "Original")
        assert saved == (version.strip() in ("", task.updated_at.isoformat()))


@given(completed=st.one_of(st.sampled_from(["true", "false"]), texts))
def test_toggle_with_any_desired_state(alice_client, alice, completed):
    with rolled_back():
        task = TaskFactory(user=alice)
        response = alice_client.post(
            reverse("tasks:toggle", args=[task.pk]), {"completed": completed}
        )
        (stored,) = _tasks(alice)
        if completed in ("true", "false"):
            assert response.status_code == 302
            assert stored.completed is (completed == "true")
        else:
            assert response.status_code == 400
            assert stored.completed is False


@given(status=enum_values, q=texts, page=page_numbers, sort=enum_values)
def test_the_list_answers_any_query(alice_client, alice, status, q, page, sort):
    response = alice_client.get(
        reverse("tasks:list"), {"status": status, "q": q, "page": page, "sort": sort}
    )
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


@given(page=page_numbers, status=enum_values, q=texts)
def test_pages_that_remember_the_list_state_answer_any_query(alice_client, alice, page, status, q):
    task = TaskFactory(user=alice)
    query = {"page": page, "status": status, "q": q}
    for name in ("tasks:detail", "tasks:update", "tasks:delete"):
        assert alice_client.get(reverse(name, args=[task.pk]), query).status_code == 200
    for url in (CREATE, reverse("tasks:clear_completed"), reverse("tasks:archive")):
        assert alice_client.get(url, query).status_code == 200


@given(segment=path_segments)
def test_a_malformed_id_in_any_task_url_is_a_404(alice_client, segment):
    seg = url_segment(segment)
    for path in (
        f"/tasks/{seg}/",
        f"/tasks/{seg}/edit/",
        f"/tasks/{seg}/toggle/",
        f"/tasks/{seg}/delete/",
        f"/tasks/archive/{seg}/restore/",
    ):
        assert alice_client.get(path).status_code in (404, 405)
        assert alice_client.post(path).status_code == 404


@pytest.mark.parametrize("body", INVALID_UTF8_BODIES)
def test_invalid_utf8_in_a_form_body_is_never_a_server_error(alice_client, alice, body):
    task = TaskFactory(user=alice, title="Original")
    for url in (CREATE, reverse("tasks:update", args=[task.pk])):
        response = alice_client.post(url, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code in (200, 302)
    for stored in _tasks(alice):
        # Undecodable bytes arrive as U+FFFD; nothing else slips through.
        assert "\x00" not in stored.title
