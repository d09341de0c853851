"""The list's search (`q`): what it matches, and that its pages read the ordering's index.

At 10 million tasks a common word's page was every row of the user sorted
(PostgreSQL under row-level security cannot estimate a LIKE and assumes it
matches almost nothing); its rows are now read off the ordering's index,
filtered, with sorting off for that query (tasks.paging.walking_the_index).
`make bench` checks that plan at scale.
"""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from tasks.models import Task
from tasks.sorting import LIST_ORDERINGS
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("tasks:list")


def _titles(response) -> list[str]:
    return [task.title for task in response.context["tasks"]]


@pytest.mark.parametrize(
    ("q", "matching"),
    [
        ("%", "100% done"),
        ("_", "snake_case"),
        ("\\", "back\\slash"),
        ("e_c", "snake_case"),
        ("0%d", "100%done"),
    ],
)
def test_like_wildcards_and_backslash_are_searched_as_text(alice_client, alice, q, matching):
    for title in ("100% done", "100%done", "snake_case", "back\\slash", "plain text", "snakeXcase"):
        TaskFactory(user=alice, title=title)

    response = alice_client.get(URL, {"q": q})

    assert matching in _titles(response)
    assert all(q in title for title in _titles(response))


def test_it_matches_the_description_alone_ignoring_case(alice_client, alice):
    TaskFactory(user=alice, title="Shopping", description="Oat MILK, bread")
    TaskFactory(user=alice, title="Other", description=None)

    response = alice_client.get(URL, {"q": "milk"})

    assert _titles(response) == ["Shopping"]


@pytest.mark.parametrize(
    "q",
    ["'", '"', "\\'", "%%", "[a-z]*", "(?i)", "é", "ß", "🙂", "\u202e", "a" * 300, "--", "\x00"],
)
def test_any_search_text_answers_200(alice_client, alice, q):
    TaskFactory(user=alice, title="plain")

    response = alice_client.get(URL, {"q": q, "page": "2", "after": "abc"})

    assert response.status_code == 200


def _follow(client, url):
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response)
        url = response.context["next_url"]
    return pages


@pytest.mark.parametrize("sort", list(LIST_ORDERINGS))
def test_a_search_pages_through_its_matches_in_the_lists_order(
    alice_client, alice, as_user, make_tasks, sort
):
    tasks = make_tasks(alice, 150)
    with as_user(alice):
        for i, task in enumerate(tasks):
            Task.objects.filter(pk=task.pk).update(
                title=f"milk {i % 7}" if i % 3 else f"bread {i % 7}",
                due_date=datetime.date(2026, 3, 1 + i % 5) if i % 2 else None,
                priority=i % 4,
                created_at=datetime.datetime(2026, 1, 1, i % 24, tzinfo=datetime.UTC),
            )
        expected = list(
            Task.objects.for_owner(alice)
            .filter(title__startswith="milk")
            .order_by(*LIST_ORDERINGS[sort])
            .values_list("pk", flat=True)
        )

    pages = _follow(alice_client, f"{URL}?q=MILK&sort={sort}")
    typed = alice_client.get(URL, {"q": "MILK", "sort": sort, "page": "2"})

    assert [task.pk for page in pages for task in page.context["tasks"]] == expected
    assert [task.pk for task in typed.context["tasks"]] == expected[50:100]
    assert "Page 2 of 2" in typed.content.decode()


def test_a_search_reads_its_rows_with_sorting_off_and_puts_it_back(
    alice_client, alice, make_tasks, django_assert_num_queries
):
    make_tasks(alice, 51, title="milk")

    # SAVEPOINT, session, user, RLS context, the version of the user's tasks (the
    # page cache's), the counts, the search's counts, sorting off, the page's
    # rows, sorting back, the RLS context reset, RELEASE.
    with django_assert_num_queries(12) as captured:
        response = alice_client.get(URL, {"q": "milk"})

    sql = [q["sql"] for q in captured]
    rows = next(n for n, q in enumerate(sql) if 'FROM "tasks"' in q and "ORDER BY" in q)
    assert "set_config('enable_sort', 'off', true)" in sql[rows - 1]
    assert "set_config('enable_sort'," in sql[rows + 1]
    assert len(response.context["tasks"]) == 50
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_sort")
        assert cursor.fetchone()[0] == "on"


def test_a_search_with_a_page_of_matches_or_fewer_reads_them_by_key(
    alice_client, alice, as_user, make_tasks, django_assert_num_queries
):
    # The search's counts read every row of the user (a LIKE cannot use an index
    # under row-level security); they also return the ids of up to a page of
    # matches, so the page reads those rows by key instead of all of them again.
    milk = make_tasks(alice, 50, title="milk")
    make_tasks(alice, 10, title="bread")
    with as_user(alice):
        Task.objects.filter(pk__in=[t.pk for t in milk[:3]]).update(completed=True)
        expected = list(
            Task.objects.for_owner(alice)
            .filter(title="milk", completed=True)
            .order_by(*LIST_ORDERINGS["newest"])
            .values_list("pk", flat=True)
        )

    # SAVEPOINT, session, user, RLS context, the version of the user's tasks (the
    # page cache's), the counts, the search's counts and ids, the page's rows by
    # key, the RLS context reset, RELEASE.
    with django_assert_num_queries(10) as captured:
        response = alice_client.get(URL, {"q": "milk"})
    rows = [q["sql"] for q in captured if 'FROM "tasks"' in q["sql"] and "ORDER BY" in q["sql"]]
    completed = alice_client.get(URL, {"q": "milk", "status": "completed"})

    assert len(response.context["tasks"]) == 50
    assert len(rows) == 1 and '"tasks"."id" IN (' in rows[0]
    assert [task.pk for task in completed.context["tasks"]] == expected
    assert "3 tasks match" in completed.content.decode()


def test_a_search_without_a_match_reads_no_rows(
    alice_client, alice, make_tasks, django_assert_num_queries
):
    make_tasks(alice, 3, title="milk")

    # SAVEPOINT, session, user, RLS context, the version of the user's tasks (the
    # page cache's), the counts, the search's counts (0: no page of rows to read),
    # the RLS context reset, RELEASE.
    with django_assert_num_queries(9):
        response = alice_client.get(URL, {"q": "zebra"})

    assert response.context["tasks"] == []
