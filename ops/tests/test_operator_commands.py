"""The operator commands, run through call_command against the test database."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from core.tests.helpers import admin_sql, run_command
from tasks.demo import DEMO_EMAIL, DEMO_TASKS


def _demo_tasks():
    return admin_sql(
        "SELECT t.title, t.description, t.completed FROM tasks t JOIN users u ON u.id = t.user_id "
        "WHERE u.email = %s ORDER BY t.title",
        [DEMO_EMAIL],
    )


def test_seed_demo_creates_the_spec_user_and_tasks_and_a_rerun_changes_nothing(committed):
    first = run_command("seed_demo")
    second = run_command("seed_demo")

    assert "added 5 demo task(s)" in first
    assert "added 0 demo task(s)" in second
    assert admin_sql("SELECT name, email_verified FROM users WHERE email = %s", [DEMO_EMAIL]) == [
        ("Test User", True)
    ]
    assert _demo_tasks() == sorted(DEMO_TASKS)


def test_cleanup_demo_removes_exactly_the_demo_user_and_its_tasks(committed):
    run_command("seed_demo")
    run_command("generate_data", "--users", "2", "--tasks-per-user", "3")

    assert "would remove demo user" in run_command("cleanup_demo", "--dry-run")
    assert len(_demo_tasks()) == 5
    assert "removed demo user test@example.com and 5 task(s)" in run_command("cleanup_demo")

    assert _demo_tasks() == []
    assert admin_sql("SELECT count(*) FROM users") == [(2,)]
    assert admin_sql("SELECT count(*) FROM tasks") == [(6,)]
    assert "no demo data to remove" in run_command("cleanup_demo")


def test_generate_data_adds_the_users_and_tasks_asked_for(committed):
    out = run_command("generate_data", "--users", "3", "--tasks-per-user", "4", "--seed", "1")

    assert "added 3 users" in out and "12 tasks" in out
    assert admin_sql("SELECT count(*) FROM users WHERE email LIKE 'load-%%@example.test'") == [(3,)]
    assert admin_sql("SELECT count(DISTINCT user_id), count(*) FROM tasks") == [(3, 12)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "0", "--tasks-per-user", "1"], "--users must be at least 1"),
        (["--users", "1", "--tasks-per-user", "-1"], "--tasks-per-user at least 0"),
    ],
)
def test_generate_data_refuses_bad_numbers(committed, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_data", *args)


@pytest.fixture
def aged_tasks(committed):
    """One user with an old completed, a recent completed and an old active task."""
    run_command("generate_data", "--users", "1", "--tasks-per-user", "0")
    user_id = admin_sql("SELECT id FROM users")[0][0]
    admin_sql(
        "INSERT INTO tasks (user_id, title, completed, created_at, updated_at) VALUES "
        "(%s, 'old done', true, now() - interval '100 days', now() - interval '100 days'),"
        "(%s, 'new done', true, now() - interval '100 days', now() - interval '10 days'),"
        "(%s, 'old open', false, now() - interval '100 days', now() - interval '100 days')",
        [user_id, user_id, user_id],
    )
    return user_id


def test_archive_tasks_moves_only_tasks_completed_long_ago(aged_tasks):
    assert "would archive 1 task(s)" in run_command("archive_tasks", "--dry-run")
    assert admin_sql("SELECT count(*) FROM tasks_archive") == [(0,)]

    assert "archived 1 task(s) completed more than 90 days ago" in run_command("archive_tasks")

    assert admin_sql("SELECT title FROM tasks ORDER BY title") == [("new done",), ("old open",)]
    assert admin_sql("SELECT title, completed FROM tasks_archive") == [("old done", True)]
    assert "archived 0 task(s)" in run_command("archive_tasks")


def test_archive_tasks_refuses_a_bad_number_of_days(committed):
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("archive_tasks", "--days", "0")


def test_backup_and_restore_bring_back_deleted_rows(committed, tmp_path):
    run_command("seed_demo")
    dump = tmp_path / "todo.dump"

    assert "backed up to" in run_command("backup", "--output", str(dump))
    admin_sql("DELETE FROM tasks")
    assert "restored" in run_command("restore", str(dump), "--no-input")

    assert len(_demo_tasks()) == 5
    # Row-level security and the application role's privileges came back too.
    assert admin_sql(
        "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = 'tasks'"
    ) == [(True,)]
    assert admin_sql(
        "SELECT has_table_privilege(%s, 'tasks', 'SELECT, INSERT, UPDATE, DELETE')",
        [connections["default"].settings_dict["USER"]],
    ) == [(True,)]


def test_restore_refuses_a_file_that_is_not_a_backup(committed, tmp_path):
    junk = tmp_path / "junk.dump"
    junk.write_text("not a dump")

    with pytest.raises(CommandError, match="is not a pg_dump custom-format backup"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.dump"))
    with pytest.raises(CommandError, match="no such directory"):
        call_command("backup", "--output", str(tmp_path / "missing" / "todo.dump"))


def test_db_health_reports_and_passes_on_a_healthy_database(committed):
    out = run_command("db_health")

    assert "tasks" in out and "idx_tasks_user_completed_created" in out
    assert "tasks            enabled=yes  forced=yes  policies=1" in out
    assert "database healthy" in out


def test_db_health_fails_when_row_level_security_is_not_forced(committed):
    admin_sql("ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY")
    try:
        with pytest.raises(CommandError, match="1 problem"):
            run_command("db_health")
    finally:
        admin_sql("ALTER TABLE tasks FORCE ROW LEVEL SECURITY")
