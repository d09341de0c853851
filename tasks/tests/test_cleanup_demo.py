"""cleanup_demo: removes the demo user and its tasks, and nobody else's."""

from core.tests.helpers import admin_sql, run_command, tasks_of
from tasks.demo import DEMO_EMAIL


def test_it_removes_exactly_the_demo_user_and_its_tasks(committed):
    run_command("seed_demo")
    run_command("generate_data", "--users", "2", "--tasks-per-user", "3")

    assert "would remove demo user" in run_command("cleanup_demo", "--dry-run")
    assert len(tasks_of(DEMO_EMAIL)) == 5
    assert "removed demo user test@example.com and 5 task(s)" in run_command("cleanup_demo")

    assert tasks_of(DEMO_EMAIL) == []
    assert admin_sql("SELECT count(*) FROM users") == [(2,)]
    assert admin_sql("SELECT count(*) FROM tasks") == [(6,)]
    assert "no demo data to remove" in run_command("cleanup_demo")
