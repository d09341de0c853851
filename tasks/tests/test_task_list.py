import datetime
import re

import pytest
from django.urls import reverse

from core.tests.helpers import follow_pages
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("tasks:list")


def _titles(response) -> list[str]:
    return [task.title for task in response.context["tasks"]]


def test_it_lists_only_the_users_tasks_newest_first(alice_client, alice, bob):
    TaskFactory(user=alice, title="Older")
    TaskFactory(user=alice, title="Newer")
    TaskFactory(user=bob, title="Bob's secret")

    response = alice_client.get(URL)

    assert response.status_code == 200
    assert _titles(response) == ["Newer", "Older"]
    assert b"Bob&#x27;s secret" not in response.content
    assert "<title>Tasks · todo</title>" in response.content.decode()


def test_it_redirects_anonymous_users_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("all", ["Open 2", "Done 1", "Open 1"]),
        ("active", ["Open 2", "Open 1"]),
        ("completed", ["Done 1"]),
        ("nonsense", ["Open 2", "Done 1", "Open 1"]),
    ],
)
def test_it_filters_by_status_tab(alice_client, alice, status, expected):
    TaskFactory(user=alice, title="Open 1")
    TaskFactory(user=alice, title="Done 1", completed=True)
    TaskFactory(user=alice, title="Open 2")

    response = alice_client.get(URL, {"status": status})

    assert _titles(response) == expected


def test_it_marks_the_current_tab(alice_client):
    response = alice_client.get(URL, {"status": "completed"})

    assert response.context["state"].status == "completed"
    assert [tab["current"] for tab in response.context["tabs"]] == [
        False,
        False,
        True,
        False,
        False,
    ]
    assert 'href="/tasks/?status=completed" aria-current="page"' in response.content.decode()
    assert "<title>Completed tasks · todo</title>" in response.content.decode()


def test_it_counts_each_status(alice_client, alice, bob, make_tasks):
    make_tasks(alice, 3)
    make_tasks(alice, 2, completed=True)
    make_tasks(bob, 4)

    response = alice_client.get(URL, {"status": "completed"})

    assert response.context["counts"] == {
        "all": 5,
        "active": 3,
        "completed": 2,
        "today": 0,
        "upcoming": 0,
    }
    assert [tab["count"] for tab in response.context["tabs"]] == [5, 3, 2, 0, 0]
    assert "3 items left" in response.content.decode()
    assert "Clear 2 shown completed tasks" in response.content.decode()


@pytest.mark.parametrize(
    ("active", "text"), [(0, "0 items left"), (1, "1 item left"), (2, "2 items left")]
)
def test_it_pluralises_items_left(alice_client, alice, make_tasks, active, text):
    make_tasks(alice, 1, completed=True)
    if active:
        make_tasks(alice, active)

    response = alice_client.get(URL)

    assert text in response.content.decode()


def _bulk_buttons(response) -> list[str]:
    html = response.content.decode()
    footer = html[html.index('class="task-footer"') :] if 'class="task-footer"' in html else ""
    return re.findall(r'<button type="submit" class="button-secondary">([^<]*)</button>', footer)


@pytest.mark.parametrize(
    ("query", "buttons"),
    [
        ({}, ["Mark 2 shown tasks as done", "Clear 3 shown completed tasks"]),
        ({"status": "active"}, ["Mark 2 shown tasks as done"]),
        ({"status": "completed"}, ["Reopen 3 shown tasks", "Clear 3 shown completed tasks"]),
        ({"q": "passport"}, ["Mark 1 shown task as done", "Clear 1 shown completed task"]),
        ({"q": "passport", "status": "active"}, ["Mark 1 shown task as done"]),
        ({"q": "done passport"}, ["Reopen 1 shown task", "Clear 1 shown completed task"]),
        ({"q": "nothing"}, []),
    ],
)
def test_bulk_buttons_name_what_they_change_and_only_appear_when_they_would(
    alice_client, alice, make_tasks, query, buttons
):
    # Before: "Mark all as done" on every tab and search, acting on every task.
    make_tasks(alice, 1, title="open passport")
    make_tasks(alice, 1, title="open other")
    make_tasks(alice, 1, completed=True, title="done passport")
    make_tasks(alice, 2, completed=True, title="done other")

    response = alice_client.get(URL, query)

    assert _bulk_buttons(response) == buttons


def test_bulk_buttons_count_every_page(alice_client, alice, make_tasks):
    make_tasks(alice, 60)

    response = alice_client.get(URL, {"page": "2"})

    assert _bulk_buttons(response) == ["Mark 60 shown tasks as done"]


def test_it_searches_title_and_description_ignoring_case(alice_client, alice):
    TaskFactory(user=alice, title="Buy MILK")
    TaskFactory(user=alice, title="Groceries", description="eggs and milk")
    TaskFactory(user=alice, title="Call dentist")

    response = alice_client.get(URL, {"q": "  Milk "})

    assert _titles(response) == ["Groceries", "Buy MILK"]
    assert response.context["state"].q == "Milk"
    assert "2 tasks match “Milk”." in response.content.decode()


def test_it_combines_search_with_the_tab(alice_client, alice):
    TaskFactory(user=alice, title="milk: open")
    TaskFactory(user=alice, title="milk: done", completed=True)
    TaskFactory(user=alice, title="bread: done", completed=True)

    response = alice_client.get(URL, {"q": "milk", "status": "completed"})

    assert _titles(response) == ["milk: done"]
    assert "1 task matches “milk”." in response.content.decode()
    # Tabs keep the search; the clear-search link keeps the tab.
    assert [tab["url"] for tab in response.context["tabs"]] == [
        "/tasks/?q=milk",
        "/tasks/?status=active&q=milk",
        "/tasks/?status=completed&q=milk",
        "/tasks/?status=today&q=milk",
        "/tasks/?status=upcoming&q=milk",
    ]
    assert response.context["clear_search_url"] == "/tasks/?status=completed"


def test_it_treats_like_wildcards_in_search_as_text(alice_client, alice):
    TaskFactory(user=alice, title="100% done")
    TaskFactory(user=alice, title="1000 things")

    response = alice_client.get(URL, {"q": "0%"})

    assert _titles(response) == ["100% done"]


def test_it_survives_hostile_search_text(alice_client, alice):
    TaskFactory(user=alice, title="plain")

    response = alice_client.get(URL, {"q": "a\x00b'; DROP TABLE tasks; --" + "x" * 500})

    assert response.status_code == 200
    assert _titles(response) == []
    assert len(response.context["state"].q) == 200


def test_it_escapes_the_search_text(alice_client):
    response = alice_client.get(URL, {"q": "<script>alert(1)</script>"})

    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


@pytest.mark.parametrize(
    ("params", "completed", "text"),
    [
        ({}, None, "No tasks yet. Add your first one above."),
        ({"status": "active"}, True, "Nothing left to do. Well done!"),
        ({"status": "active"}, None, "No active tasks. Add one above."),
        ({"status": "completed"}, False, "No completed tasks yet."),
        ({"q": "zebra"}, False, "No task matches “zebra”."),
        ({"q": "zebra", "status": "active"}, False, "No active task matches “zebra”."),
        ({"q": "zebra", "status": "completed"}, True, "No completed task matches “zebra”."),
    ],
)
def test_it_shows_an_empty_state_per_tab_and_search(
    alice_client, alice, make_tasks, params, completed, text
):
    if completed is not None:
        make_tasks(alice, 1, completed=completed)

    response = alice_client.get(URL, params)

    assert response.context["tasks"] == []
    assert text in response.content.decode()


def test_it_shows_the_quick_add_form_keeping_the_tab_and_search(alice_client):
    response = alice_client.get(URL, {"status": "active", "q": "milk", "page": "1"})
    html = response.content.decode()

    quick_add = html[
        html.index('class="quick-add"') : html.index("</form>", html.index("quick-add"))
    ]
    assert 'action="/tasks/?status=active&amp;q=milk"' in html
    assert 'name="title"' in quick_add
    assert 'name="details"' in quick_add
    # Not focused on an ordinary visit: the page starts at the top for screen readers.
    assert "autofocus" not in quick_add


def test_it_renders_titles_and_descriptions_escaped_with_line_breaks(alice_client, alice):
    TaskFactory(user=alice, title="<b>bold</b> & co", description="line one\n<i>two</i>")

    response = alice_client.get(URL)
    html = response.content.decode()

    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "<b>bold</b>" not in html
    assert "line one<br>&lt;i&gt;two&lt;/i&gt;" in html


@pytest.mark.parametrize(("n", "pages", "last_page_rows"), [(49, 1, 49), (50, 1, 50), (51, 2, 1)])
def test_it_pages_by_fifty(
    alice_client, alice, make_tasks, n, pages, last_page_rows, uncached_pages
):
    make_tasks(alice, n)

    first = alice_client.get(URL)
    last = alice_client.get(URL, {"page": pages})

    assert first.context["page_obj"].paginator.num_pages == pages
    assert len(first.context["tasks"]) == min(n, 50)
    assert len(last.context["tasks"]) == last_page_rows
    assert ('aria-label="Pages"' in first.content.decode()) == (pages > 1)


def test_it_never_repeats_or_skips_a_row_when_timestamps_tie(
    alice_client, alice, as_user, make_tasks
):
    tasks = make_tasks(alice, 120)
    with as_user(alice):
        Task.objects.for_owner(alice).update(
            created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        )

    seen = []
    for page in (1, 2, 3):
        seen += [task.pk for task in alice_client.get(URL, {"page": page}).context["tasks"]]

    assert len(seen) == 120
    assert seen == sorted((task.pk for task in tasks), reverse=True)


def test_next_and_previous_links_walk_every_row_once_in_order_even_when_timestamps_tie(
    alice_client, alice, as_user, make_tasks, uncached_pages
):
    tasks = make_tasks(alice, 120)
    with as_user(alice):
        Task.objects.for_owner(alice).update(
            created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        )
    expected = sorted((task.pk for task in tasks), reverse=True)

    forward = follow_pages(alice_client, URL, "next")
    backward = follow_pages(alice_client, forward[-1].context["previous_url"], "previous")

    assert [task.pk for page in forward for task in page.context["tasks"]] == expected
    assert [p.context["page_obj"].number for p in forward] == [1, 2, 3]
    assert "Page 3 of 3" in forward[-1].content.decode()
    assert [[t.pk for t in p.context["tasks"]] for p in backward] == [
        [t.pk for t in p.context["tasks"]] for p in forward[1::-1]
    ]


def test_a_page_reached_by_its_link_reads_no_row_before_it(
    alice_client, alice, make_tasks, django_assert_num_queries, uncached_pages
):
    make_tasks(alice, 160)
    third = follow_pages(alice_client, URL, "next")[2].request
    url = f"{third['PATH_INFO']}?{third['QUERY_STRING']}"

    # SAVEPOINT, session, user, RLS context, the version of the user's tasks (the
    # page cache's), the counts, the page's rows, the RLS context reset, RELEASE:
    # the rows come from a keyset condition, not an OFFSET.
    with django_assert_num_queries(9) as captured:
        response = alice_client.get(url)

    rows_query = next(q["sql"] for q in captured if "LIMIT 50" in q["sql"])
    assert "OFFSET" not in rows_query
    assert response.context["page_obj"].number == 3
    assert len(response.context["tasks"]) == 50


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJ4Il0", "W10", "e30", "WzEsMl0", "_" * 40])
def test_a_cursor_that_is_not_ours_falls_back_to_the_page_number(
    alice_client, alice, make_tasks, cursor
):
    make_tasks(alice, 120)
    by_number = alice_client.get(URL, {"page": "2"})

    response = alice_client.get(URL, {"page": "2", "after": cursor})

    assert response.status_code == 200
    assert response.context["tasks"] == by_number.context["tasks"]


def test_row_actions_on_a_keyset_page_come_back_to_it(alice_client, alice, make_tasks):
    make_tasks(alice, 120)
    second = follow_pages(alice_client, URL, "next")[1]
    task = second.context["tasks"][0]
    state = second.context["state"].params

    response = alice_client.post(reverse("tasks:toggle", args=[task.pk]), state)

    assert set(state) == {"page", "after"}
    assert response.url == f"{URL}?page=2&after={state['after']}"
    assert alice_client.get(response.url).context["tasks"][0].pk == task.pk


def test_it_keeps_tab_and_search_in_the_page_controls(alice_client, alice, make_tasks):
    make_tasks(alice, 120, title="milk")

    response = alice_client.get(URL, {"status": "active", "q": "milk", "page": "2"})

    assert response.context["previous_url"] == "/tasks/?status=active&q=milk"
    # The next page starts after this page's last row (keyset, tasks/paging.py).
    assert response.context["next_url"].startswith("/tasks/?status=active&q=milk&page=3&after=")
    assert "Page 2 of 3" in response.content.decode()
    # Row actions come back to this very page.
    assert "/edit/?status=active&amp;q=milk&amp;page=2" in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1e3", "²", "9" * 30])
def test_it_answers_any_page_number_without_error(alice_client, alice, make_tasks, page):
    make_tasks(alice, 51)

    response = alice_client.get(URL, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number in (1, 2)


def test_it_shows_the_last_page_for_a_page_beyond_it(alice_client, alice, make_tasks):
    make_tasks(alice, 51)

    response = alice_client.get(URL, {"page": "7"})

    assert response.context["page_obj"].number == 2
    # Its forms carry the page shown, not the one asked for.
    assert '<input type="hidden" name="page" value="2">' in response.content.decode()
    assert 'name="page" value="7"' not in response.content.decode()


@pytest.mark.parametrize("n", [1, 120])
@pytest.mark.parametrize("params", [{}, {"status": "active", "q": "task", "page": "2"}])
def test_it_uses_a_constant_number_of_queries(
    alice_client, alice, make_tasks, django_assert_num_queries, n, params
):
    make_tasks(alice, n)
    make_tasks(alice, n, completed=True)

    # 1. SAVEPOINT (the request's transaction, nested in the test's)
    # 2. the session  3. the user  4. set the RLS user
    # 5. the version of the user's tasks (the key of tasks/page_cache.py)
    # 6. the counts per status, one aggregate
    # 7. COUNT of the tab and search, for the pages (only with a search: without
    #    one, the tab's count above serves)
    # 8. with a search matching more than a page: sorting off (walking_the_index)
    # 9-11. a page number without its cursor (page 2 exists only with 120 tasks):
    #    the row before the page, off the index with sorting off and back
    #    (tasks/paging.py)  12. the page of tasks
    # 13. sorting back, as 8  14. reset the RLS user  15. RELEASE SAVEPOINT
    search, typed_page = bool(params.get("q")), "page" in params and n > 50
    with django_assert_num_queries(9 + search + 2 * (search and n > 50) + 3 * typed_page):
        response = alice_client.get(URL, params)

    assert response.status_code == 200
    assert response.context["tasks"]


def test_each_row_links_and_posts_to_its_own_task(alice_client, alice):
    # The rows substitute each id into URLs reversed once per page (tasks/rendering.py).
    first, second = TaskFactory(user=alice, title="first"), TaskFactory(user=alice, title="b")
    html = alice_client.get(URL).content.decode()

    for task in (first, second):
        row = re.search(rf'<li [^>]*id="task-{task.pk}".*?</li>', html, re.S).group(0)
        assert f'data-rename-url="{reverse("tasks:rename", args=[task.pk])}"' in row
        assert f'formaction="{reverse("tasks:toggle", args=[task.pk])}"' in row
        assert f'href="{reverse("tasks:detail", args=[task.pk])}"' in row
        assert f'href="{reverse("tasks:update", args=[task.pk])}"' in row
        assert f'formaction="{reverse("tasks:delete", args=[task.pk])}"' in row
        # The token is the page's one row form's (tasks/tests/test_row_actions.py).
        assert 'name="csrfmiddlewaretoken"' not in row
