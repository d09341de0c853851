"""The `tasks` table matches ../shared/SCHEMA.md, read from PostgreSQL's own catalog.

The test database is migrated from zero at the start of every run, so these
assertions are about what the migrations really build. The `users` table's half
of the spec is accounts/tests/test_schema.py.
"""

import pytest
from django.db import IntegrityError, connections

from core.tests.helpers import BOOL, TSTZ, UUID, VARCHAR, columns_of, indexes_of, sql
from tasks.sorting import SORT_NAMES

# Schema v1.1 (docs/schema.md changelog): additive only, nullable or defaulted.
V1_1_TASK_COLUMNS = {
    "due_date": ("date", None, True, None),
    "priority": ("smallint", None, False, "0"),
}
V1_1_TASK_INDEXES = {
    "idx_tasks_user_due": "(user_id, due_date, created_at DESC, id DESC)",
    "idx_tasks_user_completed_due": "(user_id, completed, due_date, created_at DESC, id DESC)",
    "idx_tasks_user_priority_completed": (
        "(user_id, priority DESC, created_at DESC, id DESC, completed)"
    ),
    "idx_tasks_user_title_completed": "(user_id, title, id, completed)",
}


def test_tasks_columns_match_the_spec(db):
    columns = columns_of("tasks")
    spec = {
        "id": (UUID, None, False, "gen_random_uuid()"),
        "user_id": (UUID, None, False, None),
        "title": (VARCHAR, 200, False, None),
        "description": (VARCHAR, 1000, True, None),
        "completed": (BOOL, None, False, "false"),
        "created_at": (TSTZ, None, False, "now()"),
        "updated_at": (TSTZ, None, False, "now()"),
    }
    assert {name: columns[name] for name in spec} == spec
    assert {name: columns[name] for name in set(columns) - set(spec)} == V1_1_TASK_COLUMNS


def test_tasks_archive_and_trash_have_the_same_columns_as_tasks(db):
    archive = columns_of("tasks_archive")
    tasks = columns_of("tasks")
    # Values are copied as they were: no generated id, completed by default.
    assert set(archive) == set(tasks)
    for name in V1_1_TASK_COLUMNS:
        assert archive[name] == tasks[name]
    trash = columns_of("tasks_trash")
    assert set(trash) == set(tasks) | {"deleted_at"}
    for name in V1_1_TASK_COLUMNS:
        assert trash[name] == tasks[name]


def test_tasks_has_the_five_spec_indexes_with_their_columns_and_directions(db):
    indexes = indexes_of("tasks")
    expected = {
        "idx_tasks_user_id": "(user_id)",
        "idx_tasks_user_completed": "(user_id, completed)",
        "idx_tasks_created_at": "(created_at DESC)",
        "idx_tasks_updated_at": "(updated_at DESC)",
        "idx_tasks_user_completed_created": "(user_id, completed, created_at DESC)",
    }
    # Added by todo_site for the list's orderings (docs/schema.md, "List indexes").
    added = {
        "idx_tasks_user_created_id_completed": "(user_id, created_at DESC, id DESC, completed)",
    }
    for name, columns in {**expected, **added}.items():
        assert indexes[name] == f"CREATE INDEX {name} ON public.tasks USING btree {columns}"
    # Nothing else but the primary key and v1.1's: every index costs on every write.
    assert set(indexes) == set(expected) | set(added) | set(V1_1_TASK_INDEXES) | {"tasks_pkey"}


def test_tasks_has_the_v1_1_indexes(db):
    indexes = indexes_of("tasks")
    for name, columns in V1_1_TASK_INDEXES.items():
        assert indexes[name] == f"CREATE INDEX {name} ON public.tasks USING btree {columns}"


def _constraints(table):
    return {
        name: (kind, definition)
        for name, kind, definition in sql(
            """
            SELECT conname, contype, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE conrelid = %s::regclass
            """,
            [table],
        )
    }


def test_tasks_constraints_match_the_spec(db):
    constraints = _constraints("tasks")
    assert constraints["chk_title_not_empty"] == (
        "c",
        "CHECK ((length(TRIM(BOTH FROM title)) > 0))",
    )
    assert constraints["fk_tasks_user_id"] == (
        "f",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE CASCADE ON DELETE CASCADE",
    )
    assert constraints["tasks_pkey"][0] == "p"
    # Django's own deferred NO ACTION key must not exist beside the spec's.
    assert [name for name, (kind, _) in constraints.items() if kind == "f"] == ["fk_tasks_user_id"]


def test_the_v1_1_check_constraints_are_named_in_the_spec_style(db):
    priority = ("c", "CHECK (((priority >= 0) AND (priority <= 3)))")
    assert _constraints("tasks")["chk_tasks_priority_range"] == priority
    assert _constraints("tasks_archive")["chk_tasks_archive_priority_range"] == priority
    assert _constraints("tasks_trash")["chk_tasks_trash_priority_range"] == priority
    users = _constraints("users")
    # Exactly the list's sort names (tasks migration 0014 spells them out).
    names = ", ".join(f"'{name}'::character varying" for name in SORT_NAMES)
    assert users["chk_users_task_sort"][1] == (
        f"CHECK (((task_sort)::text = ANY ((ARRAY[{names}])::text[])))"
    )
    assert "'fr'" in users["chk_users_language"][1]


# --- behaviour at the SQL level, as an operator with plain SQL ------------------------


@pytest.fixture
def admin_sql(committed):
    """A cursor as the administrative role (it bypasses RLS), committing each statement."""
    with connections["admin"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO users (email, password, is_active, is_staff, is_superuser) "
            "VALUES ('sql@example.com', '!', true, false, false) RETURNING id"
        )
        cursor.user_id = cursor.fetchone()[0]
        yield cursor


def test_an_insert_with_only_user_id_and_title_gets_every_default(admin_sql):
    admin_sql.execute(
        "INSERT INTO tasks (user_id, title) VALUES (%s, 'Plain SQL') "
        "RETURNING id, completed, created_at, updated_at, description",
        [admin_sql.user_id],
    )
    task_id, completed, created_at, updated_at, description = admin_sql.fetchone()
    assert task_id is not None
    assert completed is False
    assert created_at is not None and updated_at == created_at
    assert description is None


@pytest.mark.parametrize("priority", [-1, 4])
def test_the_database_refuses_a_priority_out_of_range(admin_sql, priority):
    with pytest.raises(IntegrityError, match="chk_tasks_priority_range"):
        admin_sql.execute(
            "INSERT INTO tasks (user_id, title, priority) VALUES (%s, 'x', %s)",
            [admin_sql.user_id, priority],
        )


def test_a_plain_insert_gets_no_due_date_and_no_priority(admin_sql):
    admin_sql.execute(
        "INSERT INTO tasks (user_id, title) VALUES (%s, 'Plain') RETURNING due_date, priority",
        [admin_sql.user_id],
    )
    assert admin_sql.fetchone() == (None, 0)
    admin_sql.execute(
        "SELECT time_zone, language, task_sort FROM users WHERE id = %s", [admin_sql.user_id]
    )
    assert admin_sql.fetchone() == ("UTC", "", "newest")


def test_the_database_refuses_a_whitespace_only_title(admin_sql):
    with pytest.raises(IntegrityError, match="chk_title_not_empty"):
        admin_sql.execute(
            "INSERT INTO tasks (user_id, title) VALUES (%s, %s)", [admin_sql.user_id, "   "]
        )


def test_deleting_a_user_with_plain_sql_deletes_their_tasks(admin_sql):
    admin_sql.execute(
        "INSERT INTO tasks (user_id, title) VALUES (%s, 'a'), (%s, 'b')",
        [admin_sql.user_id, admin_sql.user_id],
    )
    admin_sql.execute("DELETE FROM users WHERE id = %s", [admin_sql.user_id])
    admin_sql.execute("SELECT count(*) FROM tasks WHERE user_id = %s", [admin_sql.user_id])
    assert admin_sql.fetchone()[0] == 0


def test_an_update_moves_updated_at_whatever_the_path(admin_sql):
    admin_sql.execute(
        "INSERT INTO tasks (user_id, title, created_at, updated_at) "
        "VALUES (%s, 'old', now() - interval '1 day', now() - interval '1 day') RETURNING id",
        [admin_sql.user_id],
    )
    task_id = admin_sql.fetchone()[0]
    admin_sql.execute(
        "UPDATE tasks SET title = 'new' WHERE id = %s RETURNING updated_at > created_at",
        [task_id],
    )
    assert admin_sql.fetchone()[0] is True
