"""db_health: a text report for people and, with --json, one JSON document for monitoring."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from core.rls import protected_tables
from core.tests.helpers import admin_sql, run_command


def _json_report(*args):
    out = io.StringIO()
    try:
        call_command("db_health", "--json", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return json.loads(out.getvalue()), str(exc)
    return json.loads(out.getvalue()), None


def test_the_text_report_lists_tables_and_indexes_and_passes_on_a_healthy_database(committed):
    out = run_command("db_health")

    assert "tasks" in out and "idx_tasks_user_completed_created" in out
    assert "tasks            enabled=yes  forced=yes  policies=1" in out
    assert "database healthy" in out


def test_the_text_report_fails_when_row_level_security_is_not_forced(committed):
    admin_sql("ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY")
    try:
        with pytest.raises(CommandError, match="1 problem"):
            run_command("db_health")
    finally:
        admin_sql("ALTER TABLE tasks FORCE ROW LEVEL SECURITY")


def test_it_prints_every_check_with_name_status_value_and_threshold(committed):
    report, error = _json_report()

    assert error is None
    assert report["healthy"] is True
    checks = {c["name"]: c for c in report["checks"]}
    protected = [table.name for table in protected_tables()]
    assert {"tasks", "tasks_archive", "users"} <= set(protected)
    assert set(checks) == {
        "database",
        *(f"rls.{table}" for table in protected),
        *(f"rls_policies.{table}" for table in protected),
        "invalid_indexes",
        "lock_wait_seconds",
    }
    for check in checks.values():
        assert {"name", "status", "value", "threshold"} <= set(check)
        assert check["status"] == "ok"
    assert checks["rls.tasks"]["value"] == "enabled, forced"
    assert checks["rls_policies.tasks"]["value"] == ["tasks_owner_only"]
    assert checks["lock_wait_seconds"]["threshold"] == 30.0
    tasks = next(t for t in report["tables"] if t["name"] == "tasks")
    assert isinstance(tasks["total_bytes"], int) and tasks["total_bytes"] > 0
    assert "idx_tasks_user_completed_created" in {i["name"] for i in report["indexes"]}


def test_it_reports_a_problem_and_exits_as_the_text_report_does(committed):
    admin_sql("ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY")
    try:
        report, json_error = _json_report("--lock-wait", "5")
        with pytest.raises(CommandError) as text_error:
            call_command("db_health", stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        admin_sql("ALTER TABLE tasks FORCE ROW LEVEL SECURITY")

    assert json_error == str(text_error.value) == "1 problem(s) found"
    assert report["healthy"] is False
    (problem,) = [c for c in report["checks"] if c["status"] == "problem"]
    assert problem == {
        "name": "rls.tasks",
        "status": "problem",
        "value": "enabled, not forced",
        "threshold": "enabled, forced",
        "problem": "RLS is not enabled and forced on tasks: run migrate",
    }
