"""Due dates, priorities, the Today and Upcoming tabs, sorting and quick add, in the
user's time zone (the clock is frozen through core/clock.py, never slept on)."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIST = reverse("tasks:list")
CREATE = reverse("tasks:create")
SORT = reverse("tasks:sort")
PREVIEW = reverse("tasks:quick_add_preview")


@pytest.fixture
def frozen(monkeypatch):
    """`frozen(datetime)`: the site's clock reads that instant (UTC)."""

    def freeze(instant: datetime):
        monkeypatch.setattr("core.clock.now", lambda: instant)

    return freeze


@pytest.fixture
def in_zone(alice, as_user):
    def set_zone(name):
        alice.time_zone = name
        with as_user(alice):
            alice.save(update_fields=["time_zone"])

    return set_zone


def _titles(response):
    return [task.title for task in response.context["tasks"]]


# Wednesday 25 November 2026, 12:00 UTC.
NOON_WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def week(alice, bob, frozen):
    frozen(NOON_WEDNESDAY)
    TaskFactory(user=alice, title="Overdue", due_date=date(2026, 11, 20))
    TaskFactory(user=alice, title="Due today", due_date=date(2026, 11, 25), priority=1)
    TaskFactory(user=alice, title="Done today", due_date=date(2026, 11, 25), completed=True)
    TaskFactory(user=alice, title="Friday", due_date=date(2026, 11, 27), priority=3)
    TaskFactory(user=alice, title="Friday too", due_date=date(2026, 11, 27))
    TaskFactory(user=alice, title="In a month", due_date=date(2026, 12, 25), priority=2)
    TaskFactory(user=alice, title="Someday")
    TaskFactory(user=bob, title="Bob's today", due_date=date(2026, 11, 25))


def test_today_holds_open_tasks_due_today_or_overdue_marked(alice_client, week):
    response = alice_client.get(LIST, {"status": "today"})

    assert _titles(response) == ["Overdue", "Due today"]
    html = response.content.decode()
    assert html.count("task-row-overdue") == 1
    assert "<title>Due today · todo</title>" in html


def test_upcoming_is_grouped_by_day_for_two_weeks_then_later(alice_client, week):
    response = alice_client.get(LIST, {"status": "upcoming"})

    groups = [(g["label"], [t.title for t in g["tasks"]]) for g in response.context["groups"]]
    assert groups == [
        # Within a day, the chosen sort (newest first by default).
        ("Fri 27 Nov", ["Friday too", "Friday"]),
        ("Later", ["In a month"]),
    ]
    assert '<h2 class="task-group-heading" id="day-1">Fri 27 Nov</h2>' in response.content.decode()


def test_the_tab_badges_count_today_and_upcoming(alice_client, week):
    counts = alice_client.get(LIST).context["counts"]

    assert counts == {"all": 7, "active": 6, "completed": 1, "today": 2, "upcoming": 3}


def test_today_follows_the_users_time_zone(alice_client, frozen, week, in_zone):
    # 07:30 UTC on Friday 27 Nov is still Thursday 26 Nov, 23:30, in Los Angeles...
    frozen(datetime(2026, 11, 27, 7, 30, tzinfo=UTC))
    in_zone("America/Los_Angeles")
    assert "Friday" not in _titles(alice_client.get(LIST, {"status": "today"}))
    # ...and already Friday, 20:30, in Auckland.
    in_zone("Pacific/Auckland")
    assert "Friday" in _titles(alice_client.get(LIST, {"status": "today"}))


def test_today_moves_at_local_midnight_across_a_daylight_saving_change(
    alice_client, alice, frozen, in_zone
):
    # Europe/Paris leaves summer time on Sunday 25 October 2026 at 03:00 (01:00 UTC).
    in_zone("Europe/Paris")
    TaskFactory(user=alice, title="Monday's", due_date=date(2026, 10, 26))
    # Sunday 23:30 in Paris (UTC+1 after the change) is 22:30 UTC: not yet Monday.
    frozen(datetime(2026, 10, 25, 22, 30, tzinfo=UTC))
    assert alice_client.get(LIST).context["counts"]["today"] == 0
    # 23:00 UTC is midnight in Paris: Monday. (Before the change, midnight was 22:00 UTC.)
    frozen(datetime(2026, 10, 25, 23, 0, tzinfo=UTC))
    assert alice_client.get(LIST).context["counts"]["today"] == 1


def test_created_times_are_shown_in_the_users_time_zone(alice_client, alice, in_zone):
    in_zone("America/Los_Angeles")
    task = TaskFactory(user=alice, title="Late")

    html = alice_client.get(reverse("tasks:detail", args=[task.pk])).content.decode()

    local = task.created_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert local.strftime("%d %b %Y, %H:%M").lstrip("0") in html
    assert f'datetime="{local.isoformat()}"' in html or local.strftime("%H:%M") in html


@pytest.mark.parametrize(
    ("sort", "titles"),
    [
        ("newest", ["Someday", "In a month", "Friday too", "Friday", "Due today", "Overdue"]),
        ("oldest", ["Overdue", "Due today", "Friday", "Friday too", "In a month", "Someday"]),
        ("due", ["Overdue", "Due today", "Friday too", "Friday", "In a month", "Someday"]),
        ("priority", ["Friday", "In a month", "Due today", "Someday", "Friday too", "Overdue"]),
        ("title", ["Due today", "Friday", "Friday too", "In a month", "Overdue", "Someday"]),
    ],
)
def test_each_sort_orders_the_list(alice_client, week, sort, titles):
    response = alice_client.get(LIST, {"status": "active", "sort": sort})

    assert _titles(response) == titles
    assert f'<option value="{sort}" selected>' in response.content.decode()


def test_choosing_a_sort_remembers_it_and_puts_it_in_the_url(alice_client, alice, as_user, week):
    response = alice_client.post(SORT, {"sort": "priority", "status": "active", "page": "2"})

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=active&sort=priority"
    with as_user(alice):
        alice.refresh_from_db()
    assert alice.task_sort == "priority"
    # Without a sort in the URL, the remembered one applies; tab links keep an explicit one.
    assert _titles(alice_client.get(LIST, {"status": "active"}))[0] == "Friday"
    tabs = alice_client.get(LIST, {"sort": "title"}).context["tabs"]
    assert tabs[1]["url"] == "/tasks/?status=active&sort=title"


def test_an_unknown_sort_changes_nothing(alice_client, alice, as_user):
    response = alice_client.post(SORT, {"sort": "'; DROP TABLE tasks"})

    assert response["Location"] == LIST
    with as_user(alice):
        alice.refresh_from_db()
    assert alice.task_sort == "newest"
    assert alice_client.get(LIST, {"sort": "nonsense"}).status_code == 200


def test_sorting_is_post_only(alice_client):
    assert alice_client.get(SORT, {"sort": "title"}).status_code == 405


def test_quick_add_outside_today_says_where_the_task_went(alice_client, alice, frozen, as_user):
    frozen(NOON_WEDNESDAY)

    response = alice_client.post(LIST + "?status=today", {"title": "Later thing fri"})

    with as_user(alice):
        task = Task.objects.get()
    assert messages_of(response) == [
        "Task added: “Later thing”, due Fri 27 Nov. It is not shown here. "
        f'<a href="/tasks/{task.pk}/">Show it</a>'
    ]


def test_quick_add_reads_date_and_priority_and_says_so_with_an_edit_link(
    alice_client, alice, frozen, as_user
):
    """Without JavaScript there is no live preview: the message says what was read."""
    frozen(NOON_WEDNESDAY)

    response = alice_client.post(LIST, {"title": "Call Anna fri !2"})

    with as_user(alice):
        task = Task.objects.get()
    assert (task.title, task.due_date, task.priority) == ("Call Anna", date(2026, 11, 27), 2)
    edit = reverse("tasks:update", args=[task.pk])
    assert messages_of(response) == [
        f'Task added: “Call Anna”, due Fri 27 Nov, priority Medium. <a href="{edit}">Edit</a>'
    ]


def test_quick_add_escapes_the_title_in_its_message(alice_client, frozen):
    frozen(NOON_WEDNESDAY)

    response = alice_client.post(LIST, {"title": "<b>x</b> tomorrow"})

    assert "&lt;b&gt;x&lt;/b&gt;" in messages_of(response)[0]


def test_quick_add_understands_french_for_a_french_user(alice_client, alice, frozen, as_user):
    frozen(NOON_WEDNESDAY)
    alice.language = "fr"
    with as_user(alice):
        alice.save(update_fields=["language"])

    alice_client.post(LIST, {"title": "Appeler Anna vendredi"})

    with as_user(alice):
        assert Task.objects.values_list("title", "due_date").get() == (
            "Appeler Anna",
            date(2026, 11, 27),
        )


def test_the_full_form_keeps_the_title_literal(alice_client, alice, as_user):
    alice_client.post(CREATE, {"title": "Watch Friday", "due_date": "", "priority": ""})

    with as_user(alice):
        assert Task.objects.values_list("title", "due_date", "priority").get() == (
            "Watch Friday",
            None,
            0,
        )


def test_a_quick_add_of_only_a_date_keeps_it_as_the_title(alice_client, alice, as_user):
    alice_client.post(LIST, {"title": "tomorrow"})

    with as_user(alice):
        assert Task.objects.values_list("title", "due_date").get() == ("tomorrow", None)


def test_an_empty_quick_add_shows_the_form_with_an_error(alice_client, alice, as_user):
    response = alice_client.post(LIST, {"title": "   "})

    assert response.status_code == 200
    assert response.context["form"].has_error("title", code="required")
    with as_user(alice):
        assert not Task.objects.exists()


def test_the_preview_says_what_quick_add_would_save(alice_client, frozen, in_zone):
    frozen(datetime(2026, 11, 26, 7, 0, tzinfo=UTC))  # Wed 25 Nov, 23:00 in Los Angeles
    in_zone("America/Los_Angeles")

    data = json.loads(alice_client.get(PREVIEW, {"title": "Taxes tomorrow !!!"}).content)

    assert data == {
        "title": "Taxes",
        "due_date": "2026-11-26",
        "priority": 3,
        "summary": "due Tomorrow, priority High",
        "chip": "“Taxes”: due Tomorrow, priority High",
    }


def test_the_preview_needs_a_signed_in_user(client):
    assert client.get(PREVIEW, {"title": "x"}).status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"due_date": "2026-02-30"}, "due_date", "invalid"),
        ({"due_date": "tomorrow"}, "due_date", "invalid"),
        ({"due_date": "01/12/2026"}, "due_date", "invalid"),
        ({"priority": "4"}, "priority", "invalid_choice"),
        ({"priority": "-1"}, "priority", "invalid_choice"),
        ({"priority": "high"}, "priority", "invalid_choice"),
    ],
)
def test_edit_refuses_a_bad_due_date_or_priority(alice_client, alice, as_user, data, field, code):
    task = TaskFactory(user=alice, title="Keep")
    url = reverse("tasks:update", args=[task.pk])

    response = alice_client.post(url, {"title": "Changed", **data})

    assert response.status_code == 200
    assert response.context["form"].has_error(field, code=code)
    with as_user(alice):
        task.refresh_from_db()
    assert task.title == "Keep"


def test_edit_sets_and_clears_the_due_date_and_priority(alice_client, alice, as_user):
    task = TaskFactory(user=alice, title="Plan")
    url = reverse("tasks:update", args=[task.pk])

    alice_client.post(url, {"title": "Plan", "due_date": "2026-12-01", "priority": "3"})
    with as_user(alice):
        task.refresh_from_db()
    assert (task.due_date, task.priority) == (date(2026, 12, 1), 3)
    page = alice_client.get(url).content.decode()
    assert 'type="date" name="due_date" value="2026-12-01"' in page
    assert '<option value="3" selected>High</option>' in page

    alice_client.post(url, {"title": "Plan", "due_date": "", "priority": "0"})
    with as_user(alice):
        task.refresh_from_db()
    assert (task.due_date, task.priority) == (None, 0)


def test_the_detail_page_shows_due_date_and_priority(alice_client, alice, frozen):
    frozen(NOON_WEDNESDAY)
    task = TaskFactory(user=alice, title="Plan", due_date=date(2026, 11, 20), priority=2)

    html = alice_client.get(reverse("tasks:detail", args=[task.pk])).content.decode()

    assert "Friday 20 November 2026" in html
    assert "overdue" in html
    assert 'aria-label="Priority: Medium"' in html


def test_the_list_shows_a_due_chip_and_a_named_priority_marker(alice_client, week):
    html = alice_client.get(LIST).content.decode()

    assert '<time datetime="2026-11-27">Fri 27 Nov</time>' in html
    assert '<time datetime="2026-11-25">Today</time>' in html
    assert 'role="img" aria-label="Priority: High"' in html


@pytest.mark.parametrize("status", ["today", "upcoming"])
@pytest.mark.parametrize("n", [1, 30])
def test_the_new_tabs_use_a_constant_number_of_queries(
    alice_client, alice, frozen, django_assert_num_queries, status, n
):
    frozen(NOON_WEDNESDAY)
    today = NOON_WEDNESDAY.date()
    for i in range(n):
        TaskFactory(user=alice, due_date=today - timedelta(days=i % 5), priority=i % 4)
        TaskFactory(user=alice, due_date=today + timedelta(days=1 + i % 20), priority=i % 4)

    # 1. SAVEPOINT  2. the session  3. the user  4. set the RLS user
    # 5. the version of the user's tasks (the page cache's key)
    # 6. the counts per tab, one aggregate  7. the page of tasks
    # 8. reset the RLS user  9. RELEASE SAVEPOINT
    with django_assert_num_queries(9):
        response = alice_client.get(LIST, {"status": status, "sort": "priority"})

    assert response.status_code == 200
