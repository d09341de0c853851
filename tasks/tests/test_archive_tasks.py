"""archive_tasks in batches: short transactions, interruptible, rerunnable, with a progress line."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from core.tests.helpers import admin_sql, run_command


@pytest.fixture
def due_tasks(committed):
    """Seven tasks completed 100+ days ago (one per day), one recent and one old open task."""
    call_command("generate_data", "--users", "1", "--tasks-per-user", "0", stdout=io.StringIO())
    user_id = admin_sql("SELECT id FROM users")[0][0]
    admin_sql(
        "INSERT INTO tasks (user_id, title, completed, created_at, updated_at) "
        "SELECT %s, 'old done ' || n, true, now() - interval '200 days', "
        "       now() - make_interval(days => 100 + n) FROM generate_series(1, 7) AS n",
        [user_id],
    )
    admin_sql(
        "INSERT INTO tasks (user_id, title, completed, created_at, updated_at) VALUES "
        "(%s, 'new done', true, now(), now() - interval '10 days'),"
        "(%s, 'old open', false, now(), now() - interval '150 days')",
        [user_id, user_id],
    )
    return sorted(f"old done {n}" for n in range(1, 8))


def _titles(table):
    return sorted(title for (title,) in admin_sql(f"SELECT title FROM {table}"))  # noqa: S608


class InterruptAfter(io.StringIO):
    """A stderr that raises KeyboardInterrupt (Ctrl-C) once `n` progress lines were drawn."""

    def __init__(self, n):
        super().__init__()
        self.left = n

    def write(self, text):
        super().write(text)
        if text.startswith("\rarchived"):
            self.left -= 1
            if self.left == 0:
                raise KeyboardInterrupt


def test_it_moves_due_tasks_in_batches_with_a_progress_line(due_tasks):
    err = io.StringIO()
    out = io.StringIO()
    call_command("archive_tasks", "--batch-size", "3", stdout=out, stderr=err)

    assert _titles("tasks_archive") == due_tasks
    assert _titles("tasks") == ["new done", "old open"]
    # Batches of 3, 3 and 1, each reported as it commits.
    assert [line.split(" (")[0] for line in err.getvalue().split("\r") if line] == [
        "archived 3 of 7 task(s)",
        "archived 6 of 7 task(s)",
        "archived 7 of 7 task(s)",
    ]
    assert "archived 7 task(s) completed more than 90 days ago" in out.getvalue()


def test_an_interrupted_run_loses_and_duplicates_nothing_and_a_rerun_finishes(due_tasks):
    with pytest.raises(CommandError, match="interrupted after archiving 4 task"):
        call_command(
            "archive_tasks", "--batch-size", "2", stdout=io.StringIO(), stderr=InterruptAfter(2)
        )

    # The two committed batches moved, the oldest first; nothing is in both tables.
    archived = _titles("tasks_archive")
    assert archived == ["old done 4", "old done 5", "old done 6", "old done 7"]
    assert sorted(archived + _titles("tasks")) == sorted([*due_tasks, "new done", "old open"])
    assert admin_sql("SELECT count(*) FROM tasks JOIN tasks_archive USING (id)") == [(0,)]

    out = io.StringIO()
    call_command("archive_tasks", "--batch-size", "2", stdout=out, stderr=io.StringIO())

    assert "archived 3 task(s)" in out.getvalue()
    assert _titles("tasks_archive") == due_tasks
    assert _titles("tasks") == ["new done", "old open"]


def test_a_task_locked_by_a_request_is_skipped_not_waited_for(due_tasks):
    """A request holding a due task's row lock keeps it; the next run takes it."""
    import psycopg

    params = connections["admin"].get_connection_params()
    with psycopg.connect(**params) as request_connection:  # a transaction is open until exit
        request_connection.execute("SELECT id FROM tasks WHERE title = 'old done 3' FOR UPDATE")

        call_command(
            "archive_tasks", "--batch-size", "2", stdout=io.StringIO(), stderr=io.StringIO()
        )

        assert "old done 3" not in _titles("tasks_archive")
        assert len(_titles("tasks_archive")) == 6
    call_command("archive_tasks", stdout=io.StringIO(), stderr=io.StringIO())
    assert _titles("tasks_archive") == due_tasks


def test_it_moves_only_tasks_completed_long_ago_and_a_rerun_moves_nothing(due_tasks):
    assert "archived 7 task(s) completed more than 90 days ago" in run_command("archive_tasks")

    assert _titles("tasks") == ["new done", "old open"]
    assert admin_sql("SELECT DISTINCT completed FROM tasks_archive") == [(True,)]
    assert "archived 0 task(s)" in run_command("archive_tasks")
    assert _titles("tasks_archive") == due_tasks


def test_dry_run_counts_and_moves_nothing(due_tasks):
    out = io.StringIO()
    call_command("archive_tasks", "--dry-run", "--batch-size", "2", stdout=out)

    assert "would archive 7 task(s)" in out.getvalue()
    assert _titles("tasks_archive") == []


def test_it_refuses_a_batch_size_below_one(committed):
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("archive_tasks", "--batch-size", "0")


def test_it_refuses_a_bad_number_of_days(committed):
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("archive_tasks", "--days", "0")
