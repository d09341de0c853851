"""seed_demo: the schema spec's demo user and tasks, safe to re-run."""

from core.tests.helpers import admin_sql, run_command, tasks_of
from tasks.demo import DEMO_EMAIL, DEMO_TASKS


def test_it_creates_the_spec_user_and_tasks_and_a_rerun_changes_nothing(committed):
    first = run_command("seed_demo")
    second = run_command("seed_demo")

    assert "added 5 demo task(s)" in first
    assert "added 0 demo task(s)" in second
    assert admin_sql("SELECT name, email_verified FROM users WHERE email = %s", [DEMO_EMAIL]) == [
        ("Test User", True)
    ]
    assert tasks_of(DEMO_EMAIL) == sorted(DEMO_TASKS)
