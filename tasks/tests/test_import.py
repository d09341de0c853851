"""Import of the export's own JSON and CSV: preview first, per-row errors, ids kept when free."""

import csv
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.tests.helpers import messages_of
from tasks import imports
from tasks.models import ArchivedTask, Task, TrashedTask
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("task_import")
COMPARED = ("id", "title", "description", "completed", "created_at", "updated_at")


def _export(client, fmt) -> bytes:
    response = client.get(reverse("task_export"), {"format": fmt})
    return b"".join(response.streaming_content)


def _upload(client, data: bytes, name: str):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def _confirm(client, preview):
    return client.post(URL, {"confirm": "1", "token": preview.context["preview"]["token"]})


def _everything(user, as_user):
    with as_user(user):
        return {
            location: sorted(model.objects.values_list(*COMPARED))
            for location, model in (("list", Task), ("archive", ArchivedTask),
                                    ("trash", TrashedTask))
        }  # fmt: skip


@pytest.fixture
def alices_tasks(client, alice):
    """alice with 2 tasks in her list, 1 archived and 1 trashed; client signed in as alice."""
    client.force_login(alice)
    TaskFactory(user=alice, title='Ünïcode ✓, "quoted"', description="line 1\nline 2")
    # No description is stored as NULL by the site (the factory's "" would not round-trip).
    TaskFactory(user=alice, title="Open", description=None)
    TaskFactory(user=alice, title="Done", completed=True, description=None)
    trashed = TaskFactory(user=alice, title="Deleted", description="why")
    client.post(reverse("tasks:clear_completed"))
    client.post(reverse("tasks:delete", args=[trashed.pk]))
    return client


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_round_trips_into_a_new_account_keeping_ids_and_times(
    alices_tasks, alice, as_user, fmt
):
    before = _everything(alice, as_user)
    data = _export(alices_tasks, fmt)
    with as_user(alice):
        alice.delete()  # the database cascade frees every id
    newcomer = UserFactory()
    client = Client()
    client.force_login(newcomer)

    preview = _upload(client, data, f"tasks.{fmt}")
    assert preview.status_code == 200
    assert preview.context["preview"]["locations"] == {"list": 2, "archive": 1, "trash": 1}
    assert preview.context["preview"]["new_ids"] == 0
    assert _everything(newcomer, as_user) == {"list": [], "archive": [], "trash": []}
    response = _confirm(client, preview)

    assert response["Location"] == reverse("tasks:list")
    assert messages_of(response) == [
        "Imported 4 tasks: 2 to your list, 1 to the archive, 1 to the trash."
    ]
    after = _everything(newcomer, as_user)
    for location in before:
        assert after[location] == before[location], location


def test_ids_already_in_use_get_new_ones_and_nothing_else_changes(alices_tasks, alice, as_user):
    data = _export(alices_tasks, "json")

    preview = _upload(alices_tasks, data, "tasks.json")
    assert preview.context["preview"]["new_ids"] == 4
    response = _confirm(alices_tasks, preview)

    assert messages_of(response)[-1].endswith("4 got a new id because theirs was already in use.")
    after = _everything(alice, as_user)
    assert [len(after[location]) for location in after] == [4, 2, 2]
    assert len({row[0] for rows in after.values() for row in rows}) == 8


def test_an_id_used_by_another_user_is_not_taken_over(client, alice, bob, as_user):
    bobs = TaskFactory(user=bob, title="Bob's")
    client.force_login(alice)
    data = json.dumps([{"id": str(bobs.pk), "title": "Squatter", "location": "archive"}])

    _confirm(client, _upload(client, data.encode(), "x.json"))

    with as_user(alice):
        (archived,) = ArchivedTask.objects.all()
    assert archived.title == "Squatter" and archived.pk != bobs.pk
    with as_user(bob):
        assert Task.objects.get(pk=bobs.pk).title == "Bob's"


def _errors(client, data: bytes, name="tasks.csv"):
    response = _upload(client, data, name)
    assert response.status_code == 200
    assert "preview" not in response.context
    assert response.context["form"].has_error("file")
    assert imports_session_key not in client.session
    return response.context["import_errors"]


imports_session_key = "accounts_import"
HEADER = "id,title,description,completed,created_at,updated_at,location,deleted_at\n"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"x" * (imports.MAX_BYTES + 1), "big.csv", ["The file is 2048 KB; the limit is 2 MB."]),
        (b"name,when\nx,y\n", "t.csv", [
            "The CSV header has unknown column(s) name, when: expected the export's columns "
            "id, title, description, completed, created_at, updated_at, due_date, priority, "
            "location, deleted_at."
        ]),
        ((HEADER + ",ok,,false,yesterday,,list,\n,fine,,true,,,archive,\n").encode(), "t.csv",
         ["Row 1: created_at 'yesterday' is not a date and time (YYYY-MM-DDTHH:MM:SS+00:00)."]),
        ((HEADER + ",a\x00b,,false,,,list,\n").encode(), "t.csv",
         ["Row 1: title contains a NUL character."]),
        (b'[{"title": "ok"}, {"title": "x", "colour": "red"}, {"title": "  "}]', "t.json",
         ["Row 2: unknown column(s): colour.", "Row 3: title is only white space."]),
        (b'[{"title": "a", "location": "attic"}, {"title": "b", "completed": "maybe"}]', "t.json",
         ["Row 1: location 'attic' is not list, archive or trash.",
          "Row 2: completed 'maybe' is not true or false."]),
        (b'[{"title": "a", "id": "123"}]', "t.json", ["Row 1: id '123' is not a UUID."]),
        (b'{"title": "a"}', "t.json",
         ["The JSON file must hold a list of tasks, as the export writes it."]),
        (b'[{"title": "a"', "t.json", ["The file is not valid JSON (line 1): Expecting ',' "
                                        "delimiter."]),
        (b"\xff\xfe title", "t.csv",
         ["The file is not UTF-8 text: upload the JSON or CSV the export gave."]),
        (b"[]", "t.json", ["The file holds no tasks."]),
        (("[" + ",".join(['{"title": "t", "id": "00000000-0000-4000-8000-000000000001"}'] * 2)
          + "]").encode(), "t.json",
         ["Row 2: id 00000000-0000-4000-8000-000000000001 appears more than once in the file."]),
    ],
    ids=["too-big", "wrong-columns", "bad-date", "nul", "unknown-key-and-blank-title",
         "bad-location-and-flag", "bad-id", "not-a-list", "broken-json", "not-utf8", "empty",
         "duplicate-id"],
)  # fmt: skip
def test_a_bad_file_gets_a_clear_report_and_imports_nothing(
    client, alice, as_user, data, name, expected
):
    client.force_login(alice)

    assert _errors(client, data, name) == expected
    assert _everything(alice, as_user) == {"list": [], "archive": [], "trash": []}


def test_a_title_over_200_characters_is_a_row_error(client, alice):
    client.force_login(alice)
    data = json.dumps([{"title": "x" * 201}]).encode()

    assert _errors(client, data, "t.json") == ["Row 1: title has 201 characters (at most 200)."]


def test_the_error_report_stops_after_fifty_rows(client, alice):
    client.force_login(alice)
    data = json.dumps([{"title": ""}] * 60).encode()

    errors = _errors(client, data, "t.json")

    assert len(errors) == 51
    assert errors[-1] == "… and more rows with errors."


def test_a_csv_export_with_excel_like_values_imports(client, alice, as_user):
    client.force_login(alice)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "completed", "created_at"])
    writer.writerow(["Naive time", "TRUE", "2024-01-02 03:04:05"])

    _confirm(client, _upload(client, ("\ufeff" + out.getvalue()).encode(), "t.csv"))

    with as_user(alice):
        task = Task.objects.get()
    assert (task.title, task.completed, task.created_at.year) == ("Naive time", True, 2024)


def test_it_shows_the_form_and_links_from_the_profile(client, alice):
    client.force_login(alice)

    html = client.get(URL).content.decode()

    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html
    assert f'href="{URL}"' in client.get(reverse("accounts:profile")).content.decode()


def test_no_file_is_a_form_error(client, alice):
    client.force_login(alice)

    response = client.post(URL)

    assert response.context["form"].has_error("file", code="required")


def test_confirming_without_a_preview_imports_nothing(client, alice, as_user):
    client.force_login(alice)

    response = client.post(URL, {"confirm": "1", "token": str(uuid.uuid4())})

    assert response["Location"] == URL
    assert messages_of(response)[-1] == "Nothing to import: choose the file again."
    with as_user(alice):
        assert Task.objects.count() == 0


def test_confirming_twice_imports_once_and_answers_the_same(client, alice, as_user):
    # A double click or a retry of the confirmation: the first answer, nothing added.
    client.force_login(alice)
    preview = _upload(client, b'[{"title": "once"}]', "t.json")
    first = _confirm(client, preview)
    first_message = messages_of(first)[-1]

    again = _confirm(client, preview)

    assert again["Location"] == first["Location"] == reverse("tasks:list")
    assert messages_of(again)[-1] == first_message
    with as_user(alice):
        assert Task.objects.count() == 1


def test_anonymous_visitors_go_to_sign_in_and_csrf_is_required(client, alice):
    assert client.get(URL)["Location"].startswith(reverse("login"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(URL, {"file": SimpleUploadedFile("t.json", b"[]")}).status_code == 403


def test_the_ids_in_use_function_answers_only_for_given_ids(alice, bob, as_user):
    bobs = TaskFactory(user=bob)
    with as_user(alice), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks")
        assert cursor.fetchone() == (0,)  # RLS: bob's row is invisible to alice
        assert imports.ids_in_use([str(bobs.pk)]) == {str(bobs.pk)}
        cursor.execute(
            "SELECT p.prosecdef, p.proconfig FROM pg_proc p "
            "WHERE p.oid = 'app.task_ids_in_use(uuid[])'::regprocedure"
        )
        assert cursor.fetchone() == (True, ["search_path=pg_catalog, pg_temp"])


def test_it_reads_due_date_and_priority_and_refuses_bad_ones():
    import json as _json

    good = [{"title": "Plan", "due_date": "2026-12-01", "priority": 3}, {"title": "Old file"}]
    result = imports.import_read(_json.dumps(good).encode(), "t.json")
    assert result.errors == []
    assert [(r["due_date"], r["priority"]) for r in result.rows] == [("2026-12-01", 3), (None, 0)]

    bad = [{"title": "x", "due_date": "2026-02-30"}, {"title": "y", "priority": "4"}]
    assert imports.import_read(_json.dumps(bad).encode(), "t.json").errors == [
        "Row 1: due_date '2026-02-30' is not a date (YYYY-MM-DD).",
        "Row 2: priority '4' is not 0, 1, 2 or 3.",
    ]


def test_an_export_imports_back_with_due_dates_and_priorities(client, alice, as_user):
    from datetime import date

    from tasks.models import Task
    from tasks.tests.factories import TaskFactory

    TaskFactory(user=alice, title="Planned", due_date=date(2026, 12, 1), priority=2)
    client.force_login(alice)
    exported = b"".join(client.get("/accounts/export/?format=csv").streaming_content)

    result = imports.import_read(exported, "todo.csv")
    assert result.errors == []
    with as_user(alice):
        imports.import_tasks(owner=alice, rows=result.rows)
        assert sorted(Task.objects.values_list("due_date", "priority")) == [
            (date(2026, 12, 1), 2),
            (date(2026, 12, 1), 2),
        ]
