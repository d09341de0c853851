"""The list's rows act through one form (tasks/jinja2/tasks/_task_parts.html, row_form).

Each row's toggle and delete are buttons that submit the page's one form, which
holds the CSRF token and the list state once, to the row's own URL
(`formaction`), the toggle with the state it asks for as its name and value. A
kept list page costs what its bytes cost (tasks/page_cache.py), and two forms
per row, each repeating the token and the state (a deep page's cursor), were
most of a deep page. Without JavaScript the buttons must post exactly what the
two forms posted, and come back to the same place in the list.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from core import clock
from core.tests.helpers import follow_pages, submit_buttons, titles_of
from tasks.models import Task, TrashedTask

pytestmark = pytest.mark.django_db

URL = reverse("tasks:list")
ROW = re.compile(r'<li class="task-row.*?</li>', re.S)
# Page 2 of 120 "Task N", by its Next link (with its cursor): 66,186 bytes with
# the row form and the compact cursor, 111,009 with two forms per row and the
# former cursor. The budget leaves room for a few words more, not for a form
# per row (about 400 bytes a row, 20 KB a page).
PAGE_BUDGET = 70_000


@pytest.fixture
def strict_client(alice):
    """Signed in as alice, checking CSRF as a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def _second_page(client, alice, make_tasks):
    """Page 2 of 120 tasks, reached by its Next link: its state holds a cursor."""
    make_tasks(alice, 120)
    response = follow_pages(client, URL, "next")[1]
    assert response.context["state"].after
    return response


def test_a_page_of_50_rows_carries_the_token_and_the_list_state_once(
    alice_client, alice, make_tasks
):
    response = _second_page(alice_client, alice, make_tasks)
    html = response.content.decode()
    cursor = response.context["state"].after
    rows = ROW.findall(html)

    assert len(rows) == 50
    # No row holds a form, a token or a hidden field; its buttons name the one form.
    for row in rows:
        assert "<form" not in row
        assert "csrfmiddlewaretoken" not in row
        assert 'type="hidden"' not in row
        assert row.count('form="task-row-actions"') == 2
        # The cursor only in the task's links (detail, edit), which come back here.
        assert row.count(cursor) == 2
    # One token per POST form of the page: sign out, quick add, sort, the rows' form,
    # the bulk action.
    assert html.count('name="csrfmiddlewaretoken"') == html.count('<form method="post"') == 5
    assert html.count(f'<input type="hidden" name="after" value="{cursor}">') == 2
    assert len(response.content) < PAGE_BUDGET


@pytest.mark.parametrize("completed", [False, True], ids=["done", "reopen"])
def test_a_rows_toggle_posts_the_state_it_asks_for_and_comes_back_to_the_page(
    strict_client, alice, make_tasks, as_user, completed
):
    make_tasks(alice, 120, completed=completed)
    page = follow_pages(strict_client, URL, "next")[1]
    task = page.context["tasks"][7]
    toggle = next(
        b
        for b in submit_buttons(page.content.decode())
        if b["url"] == reverse("tasks:toggle", args=[task.pk])
    )

    assert toggle["form"] == "task-row-actions"
    assert toggle["aria-pressed"] == ("true" if completed else "false")
    assert toggle["data"]["completed"] == ("false" if completed else "true")
    # What the browser posts: the form's token and state, then the button's name and value.
    response = strict_client.post(toggle["url"], toggle["data"])

    assert response.status_code == 302
    assert response["Location"] == page.context["state"].list_url
    assert "after=" in response["Location"]
    with as_user(alice):
        assert Task.objects.for_owner(alice).get(pk=task.pk).completed is not completed
    # Sent again (a double click, a stale page), it asks for the same state: no flip back.
    strict_client.post(toggle["url"], toggle["data"])
    with as_user(alice):
        assert Task.objects.for_owner(alice).get(pk=task.pk).completed is not completed


def test_a_rows_delete_posts_the_list_state_and_comes_back_to_the_page(
    strict_client, alice, make_tasks, as_user
):
    page = _second_page(strict_client, alice, make_tasks)
    task = page.context["tasks"][7]
    delete = next(
        b
        for b in submit_buttons(page.content.decode())
        if b["url"] == reverse("tasks:delete", args=[task.pk])
    )

    assert delete["form"] == "task-row-actions"
    assert "name" not in delete
    assert set(delete["data"]) == {"csrfmiddlewaretoken", "page", "after"}
    response = strict_client.post(delete["url"], delete["data"])

    assert response.status_code == 302
    assert response["Location"] == page.context["state"].list_url
    assert task.title not in titles_of(alice)
    with as_user(alice):
        assert TrashedTask.objects.filter(pk=task.pk).exists()
    # The page it comes back to: the same rows, less the deleted one.
    back = strict_client.get(response["Location"])
    shown = back.context["tasks"]
    assert task not in shown
    assert shown[:7] == page.context["tasks"][:7]


def test_every_row_of_an_upcoming_page_names_the_one_form(alice_client, alice, make_tasks):
    # Upcoming splits the rows into one list per day: still one form for all of them.
    today = clock.today()
    for days in (1, 2, 3):
        make_tasks(alice, 2, due_date=today + datetime.timedelta(days=days))
    html = alice_client.get(URL, {"status": "upcoming"}).content.decode()

    assert html.count('id="task-row-actions"') == 1
    buttons = [b for b in submit_buttons(html) if "formaction" in b]
    assert len(buttons) == 12
    assert {b["form"] for b in buttons} == {"task-row-actions"}
