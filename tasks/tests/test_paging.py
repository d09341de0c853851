"""Keyset paging in every order of the list (tasks/paging.py), by link and by typed number.

The due-date sort is the hard one: due date ascending with undated tasks last,
then newest first, so its direction changes after the first column and its
first column holds NULLs. Pages must cross a date, the NULL group's edge and
ties on every column without repeating or skipping a row, forward and backward.
"""

import datetime
import itertools

import pytest
from django.urls import reverse

from core.tests.helpers import follow_pages
from tasks.models import STATUS_TODAY, STATUS_UPCOMING, Task, list_ordering
from tasks.paging import anchor_values, keyset_rows, parse_cursor, supports_keyset
from tasks.sorting import LIST_ORDERINGS, SORT_DUE
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("tasks:list")
DAY = datetime.date(2026, 3, 2)
T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def mixed(alice, as_user, make_tasks):
    """25 tasks: two due dates and undated, created_at tied in threes, priorities and
    titles repeated, so every order has ties that only the id breaks."""
    tasks = make_tasks(alice, 25)
    with as_user(alice):
        for i, task in enumerate(tasks):
            due = [DAY, DAY + datetime.timedelta(days=1), None][i % 3]
            Task.objects.filter(pk=task.pk).update(
                due_date=due,
                created_at=T0 + datetime.timedelta(hours=i // 3),
                priority=i % 4,
                title=f"Task {i % 5}",
            )
    return alice


def _in_order(user, ordering, **filters):
    return list(Task.objects.for_owner(user).filter(**filters).order_by(*ordering))


@pytest.mark.parametrize("sort", list(LIST_ORDERINGS))
@pytest.mark.parametrize("size", [1, 3, 7])
def test_keyset_after_and_before_every_row_gives_the_rows_that_follow_it(
    mixed, as_user, sort, size
):
    ordering = LIST_ORDERINGS[sort]
    with as_user(mixed):
        rows = _in_order(mixed, ordering)
        shown = Task.objects.for_owner(mixed).order_by(*ordering)
        values = [anchor_values(shown, ordering, position=k) for k in range(len(rows))]
        for k in range(len(rows)):
            after = keyset_rows(shown, ordering, after=values[k], size=size)
            before = keyset_rows(shown, ordering, before=values[k], size=size)

            assert after == rows[k + 1 : k + 1 + size], (sort, k)
            assert before == rows[max(k - size, 0) : k], (sort, k)


@pytest.mark.parametrize("tab", [STATUS_TODAY, STATUS_UPCOMING])
@pytest.mark.parametrize("sort", list(LIST_ORDERINGS))
def test_keyset_serves_today_and_upcoming_read_by_day_in_every_sort(
    alice, as_user, make_tasks, tab, sort
):
    tasks = make_tasks(alice, 12)
    today = DAY
    with as_user(alice):
        for i, task in enumerate(tasks):
            due = today + datetime.timedelta(days=(i % 3) - 1 if tab == STATUS_TODAY else i % 3 + 1)
            Task.objects.filter(pk=task.pk).update(
                due_date=due, created_at=T0 + datetime.timedelta(hours=i // 4), priority=i % 2
            )
        ordering = list_ordering(tab, sort)
        shown = Task.objects.for_owner(alice).with_status(tab, today=today).order_by(*ordering)
        rows = list(shown)
        assert supports_keyset(ordering)
        for k in range(len(rows)):
            after = anchor_values(shown, ordering, position=k)
            assert keyset_rows(shown, ordering, after=after, size=4) == rows[k + 1 : k + 5]
            assert keyset_rows(shown, ordering, before=after, size=4) == rows[max(k - 4, 0) : k]


def _pks(response):
    return [task.pk for task in response.context["tasks"]]


@pytest.mark.parametrize("dated", [49, 50, 51, 100])
def test_due_date_pages_cross_the_undated_group_forward_and_backward(
    alice_client, alice, as_user, make_tasks, dated, uncached_pages
):
    # 49, 50 and 51 dated tasks put the first undated task just after, at and
    # just before the edge of page 1; with 100, at the edge of page 3.
    make_tasks(alice, 130)
    with as_user(alice):
        pks = list(Task.objects.for_owner(alice).order_by("id").values_list("pk", flat=True))
        for i, pk in enumerate(pks):
            Task.objects.filter(pk=pk).update(
                due_date=DAY + datetime.timedelta(days=i % 4) if i < dated else None,
                created_at=T0 + datetime.timedelta(hours=i // 10),
            )
        expected = [t.pk for t in _in_order(alice, LIST_ORDERINGS[SORT_DUE])]

    forward = follow_pages(alice_client, f"{URL}?sort=due", "next")
    backward = follow_pages(alice_client, forward[-1].context["previous_url"], "previous")

    assert [pk for page in forward for pk in _pks(page)] == expected
    assert [p.context["page_obj"].number for p in forward] == [1, 2, 3]
    assert "Page 3 of 3" in forward[-1].content.decode()
    assert [_pks(p) for p in backward] == [_pks(p) for p in forward[1::-1]]
    # The deep pages came by keyset, never by OFFSET.
    assert all("after" in p.context["state"].params for p in forward[1:])


@pytest.mark.parametrize("sort", list(LIST_ORDERINGS))
def test_a_typed_page_number_shows_the_rows_its_links_lead_to(
    mixed, alice_client, make_tasks, sort, uncached_pages
):
    make_tasks(mixed, 100, due_date=DAY)
    by_link = follow_pages(alice_client, f"{URL}?sort={sort}", "next")

    for number, page in enumerate(by_link, start=1):
        typed = alice_client.get(URL, {"sort": sort, "page": number})

        assert _pks(typed) == _pks(page)
        assert typed.context["page_obj"].number == number


def test_a_typed_page_reads_its_position_off_the_index_and_its_rows_by_keyset(
    alice_client, alice, make_tasks, django_assert_num_queries
):
    make_tasks(alice, 160)

    # SAVEPOINT, session, user, RLS context, the version of the user's tasks (the
    # page cache's), the counts, sorting off, the row before the page, sorting
    # back, the page's rows, the RLS context reset, RELEASE.
    with django_assert_num_queries(12) as captured:
        response = alice_client.get(URL, {"page": "3"})

    position, rows = [q["sql"] for q in captured if 'FROM "tasks"' in q["sql"]][-2:]
    # Only the ordering's columns (the index holds them), one row at its offset.
    assert position.startswith(
        'SELECT "tasks"."created_at" AS "created_at", "tasks"."id" AS "id" FROM'
    )
    assert "LIMIT 1 OFFSET 99" in position
    assert "OFFSET" not in rows
    assert response.context["page_obj"].number == 3
    # Its forms and links come back to these rows by cursor.
    assert set(response.context["state"].params) == {"page", "after"}


def test_a_due_date_cursor_may_hold_an_undated_task_but_not_a_null_id():
    ordering = LIST_ORDERINGS[SORT_DUE]
    undated = TaskFactory.build(due_date=None, created_at=T0)

    from tasks.paging import cursor_of, encode_cursor

    values = parse_cursor(cursor_of(undated, ordering), ordering)
    assert values == [None, T0, undated.pk]
    assert parse_cursor(encode_cursor([None, T0, None]), ordering) is None


def test_every_list_ordering_pages_by_keyset():
    orderings = {
        list_ordering(tab, sort)
        for tab, sort in itertools.product(["all", STATUS_TODAY, STATUS_UPCOMING], LIST_ORDERINGS)
    }
    assert all(supports_keyset(ordering) for ordering in orderings)
    # Two direction changes, or a NULL inside the ordering, are not keyset-able.
    assert not supports_keyset(("due_date", "-created_at", "id"))
