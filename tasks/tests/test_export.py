import csv
import io
import json

import pytest
from django.urls import reverse

from tasks import export
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("task_export")
COLUMNS = [
    "id",
    "title",
    "description",
    "completed",
    "created_at",
    "updated_at",
    "due_date",
    "priority",
    "location",
    "deleted_at",
]


@pytest.fixture
def tasks(alice, bob):
    mine = [
        TaskFactory(user=alice, title='Ünïcode ✓, "quoted"', description="line 1\nline 2"),
        TaskFactory(user=alice, title="Done", description=None, completed=True),
    ]
    TaskFactory(user=bob, title="Bob's secret")
    return mine


def _body(response):
    return b"".join(response.streaming_content).decode("utf-8")


def test_json_has_every_column_but_user_id_for_my_tasks_only(client, alice, tasks):
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="todo-tasks-20')
    assert response["Content-Disposition"].endswith('.json"')
    rows = json.loads(_body(response))
    assert {row["title"] for row in rows} == {t.title for t in tasks}
    assert set(rows[0]) == set(COLUMNS)
    by_title = {row["title"]: row for row in rows}
    assert by_title["Done"]["completed"] is True
    assert by_title["Done"]["description"] is None
    assert by_title[tasks[0].title]["description"] == "line 1\nline 2"
    assert by_title[tasks[0].title]["id"] == str(tasks[0].pk)


def test_csv_has_a_header_and_the_same_rows(client, alice, tasks):
    client.force_login(alice)

    response = client.get(URL, {"format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert list(rows[0]) == COLUMNS
    assert {row["title"] for row in rows} == {t.title for t in tasks}
    assert {row["description"] for row in rows} == {"line 1\nline 2", ""}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_it_includes_archived_and_trashed_tasks_marked_as_such(client, alice, bob, tasks, fmt):
    # Before: archived tasks were left out, although the account deletion page
    # says to download your tasks first.
    client.force_login(alice)
    archived = TaskFactory(user=alice, title="Cleared", completed=True)
    trashed = TaskFactory(user=alice, title="Deleted")
    TaskFactory(user=bob, title="Bob's deleted")
    client.post(reverse("tasks:clear_completed"), {"q": "Cleared"})
    client.post(reverse("tasks:delete", args=[trashed.pk]))

    body = _body(client.get(URL, {"format": fmt}))
    rows = json.loads(body) if fmt == "json" else list(csv.DictReader(io.StringIO(body)))

    by_title = {row["title"]: row for row in rows}
    assert set(by_title) == {t.title for t in tasks} | {"Cleared", "Deleted"}
    assert [by_title[t.title]["location"] for t in tasks] == ["list", "list"]
    assert by_title["Cleared"]["location"] == "archive"
    assert by_title["Cleared"]["id"] == str(archived.pk)
    assert by_title["Deleted"]["location"] == "trash"
    assert by_title["Deleted"]["deleted_at"]
    assert not by_title["Cleared"]["deleted_at"]


def test_an_unknown_format_is_a_clear_400(client, alice):
    client.force_login(alice)

    response = client.get(URL, {"format": "xml"})

    assert response.status_code == 400
    assert b"format=json or ?format=csv" in response.content


def test_it_reads_in_chunks_without_repeating_or_skipping_rows(alice):
    made = TaskFactory.create_batch(7, user=alice)

    ids = [task["id"] for task in export.iter_user_tasks(alice.pk, chunk_size=3)]

    assert sorted(ids) == sorted(str(t.pk) for t in made)
    assert len(ids) == 7


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_it_carries_due_date_and_priority_and_gives_times_in_my_time_zone(client, alice, as_user):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    alice.time_zone = "America/Los_Angeles"
    with as_user(alice):
        alice.save(update_fields=["time_zone"])
    TaskFactory(user=alice, title="Planned", due_date=date(2026, 12, 1), priority=2)
    client.force_login(alice)

    (row,) = json.loads(_body(client.get(URL)))

    assert (row["due_date"], row["priority"]) == ("2026-12-01", 2)
    created = datetime.fromisoformat(row["created_at"])
    assert created.utcoffset() == datetime.now(ZoneInfo("America/Los_Angeles")).utcoffset()
