"""backup and restore: client version check, the restore's confirmation, origin and atomicity."""

import io
import os
import re
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from core.tests.helpers import admin_sql, run_command, tasks_of
from tasks.demo import DEMO_EMAIL

# Each test runs pg_dump and pg_restore: `slow`.
pytestmark = pytest.mark.slow


def _test_database() -> str:
    """The test database's name (one per process when the tests run in several)."""
    return connections["default"].settings_dict["NAME"]


def _titles():
    return sorted(t for (t,) in admin_sql("SELECT title FROM tasks"))


@pytest.fixture
def backup_then_change(committed, tmp_path):
    """The demo data backed up; then a task the backup does not have. Returns the file."""
    call_command("seed_demo", stdout=io.StringIO())
    dump = tmp_path / "todo.dump"
    call_command("backup", "--output", str(dump), stdout=io.StringIO())
    admin_sql(
        "INSERT INTO tasks (user_id, title) SELECT id, 'written after the backup' FROM users "
        "WHERE email = %s",
        [DEMO_EMAIL],
    )
    return dump


def _restore(*args, answer=None, monkeypatch=None):
    out = io.StringIO()
    if monkeypatch is not None:
        monkeypatch.setattr("builtins.input", lambda prompt: answer)
    call_command("restore", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_backup_and_restore_bring_back_deleted_rows(committed, tmp_path):
    run_command("seed_demo")
    dump = tmp_path / "todo.dump"

    assert "backed up to" in run_command("backup", "--output", str(dump))
    admin_sql("DELETE FROM tasks")
    assert "restored" in run_command("restore", str(dump), "--no-input")

    assert len(tasks_of(DEMO_EMAIL)) == 5
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


def test_restore_without_confirmation_leaves_a_database_with_data_alone(backup_then_change):
    # No terminal to ask on (as under cron or CI): refused, nothing changed.
    with pytest.raises(CommandError, match="not confirmed, nothing was changed"):
        _restore(str(backup_then_change))

    assert "written after the backup" in _titles()


def test_restore_refuses_a_wrong_database_name(backup_then_change, monkeypatch):
    with pytest.raises(CommandError, match="not confirmed"):
        _restore(str(backup_then_change), answer="todo_site", monkeypatch=monkeypatch)

    assert "written after the backup" in _titles()


def test_restore_says_what_it_replaces_and_proceeds_when_the_name_is_typed(
    backup_then_change, monkeypatch
):
    prompts = []
    name = _test_database()
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or name)

    out = _restore(str(backup_then_change))

    assert prompts == [f"Type the database name ({name}) to replace it: "]
    assert "written after the backup" not in _titles()
    assert len(_titles()) == 5
    version = admin_sql("SELECT current_setting('server_version_num')::int")[0][0]
    server = f"{version // 10000}.{version % 10000}"
    # Origin: file, database, time, server and pg_dump versions; schema version; contents.
    assert f"todo.dump ({backup_then_change.stat().st_size:,} bytes): database " in out
    assert f"from PostgreSQL {server} by pg_dump " in out
    # The backup and the database are at the same (latest) migrations.
    schema = re.search(r"^schema: backup at (.+); database at (.+)$", out, re.M)
    assert schema.group(1) == schema.group(2)
    assert re.search(r"\baccounts 0\d{3}_\w+", schema.group(1))
    assert re.search(r"\btasks 0\d{3}_\w+", schema.group(1))
    assert (
        f"database '{name}' holds 1 users, 6 tasks, 0 tasks_archive, 0 tasks_trash: all "
        "of it will be replaced" in out
    )
    assert "restored" in out and "now holds 1 users, 5 tasks, 0 tasks_archive, 0 tasks_trash" in out


def test_restore_with_no_input_proceeds_without_asking(backup_then_change, monkeypatch):
    def never(prompt):
        raise AssertionError("asked despite --no-input")

    monkeypatch.setattr("builtins.input", never)

    _restore(str(backup_then_change), "--no-input")

    assert "written after the backup" not in _titles()


def test_restore_into_an_empty_database_does_not_ask(backup_then_change, monkeypatch):
    admin_sql("DELETE FROM users")  # tasks go by cascade

    out = _restore(str(backup_then_change), answer="never asked", monkeypatch=None)

    assert "holds no users or tasks" in out
    assert len(_titles()) == 5


def test_a_corrupted_backup_changes_nothing(backup_then_change):
    data = bytearray(backup_then_change.read_bytes())
    # Damage compressed table data near the end; the table of contents at the start
    # stays readable, so pg_restore starts replacing the database before it fails.
    for i in range(len(data) - 200, len(data) - 180):
        data[i] ^= 0xFF
    backup_then_change.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="pg_restore failed, nothing was changed: .*uncompress"):
        _restore(str(backup_then_change), "--no-input")

    assert "written after the backup" in _titles()
    assert len(_titles()) == 6
    assert admin_sql(
        "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = 'tasks'"
    ) == [(True,)]


def test_restore_refuses_a_backup_of_a_newer_release(committed, tmp_path):
    admin_sql(
        "INSERT INTO django_migrations (app, name, applied) VALUES ('tasks', '9999_x', now())"
    )
    dump = tmp_path / "newer.dump"
    try:
        call_command("backup", "--output", str(dump), stdout=io.StringIO())
    finally:
        admin_sql("DELETE FROM django_migrations WHERE name = '9999_x'")

    with pytest.raises(CommandError, match=r"migrations this code does not know \(tasks.9999_x\)"):
        _restore(str(dump), "--no-input")


def _fake_client(tmp_path, monkeypatch, name, version):
    """A `name` on PATH that reports `version` (as an older PostgreSQL client would)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    program = bin_dir / name
    program.write_text(f'#!/bin/sh\necho "{name} (PostgreSQL) {version}"\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return program


def test_backup_with_an_older_pg_dump_fails_in_one_line_with_the_fix(
    committed, tmp_path, monkeypatch
):
    version = admin_sql("SELECT current_setting('server_version_num')::int")[0][0]
    major = version // 10000
    fake = _fake_client(tmp_path, monkeypatch, "pg_dump", f"{major - 1}.9")
    target = tmp_path / "todo.dump"

    with pytest.raises(CommandError) as failure:
        call_command("backup", "--output", str(target))

    message = str(failure.value)
    assert "\n" not in message
    assert message == (
        f"pg_dump {major - 1}.9 ({fake}) cannot dump PostgreSQL {major}.{version % 10000}: "
        f"install postgresql-client-{major} or newer (from the PostgreSQL project's apt "
        "repository; the Docker image has it) and put its pg_dump first on PATH"
    )
    assert not target.exists()


def test_backup_uses_a_newer_pg_dump_from_path(committed, tmp_path, monkeypatch):
    """A client newer than the server passes the check (and is the one that runs)."""
    version = admin_sql("SELECT current_setting('server_version_num')::int")[0][0]
    fake = _fake_client(tmp_path, monkeypatch, "pg_dump", f"{version // 10000 + 1}.0")
    with fake.open("a") as script:  # the dump itself: write the file pg_dump was asked for
        script.write(
            'for a in "$@"; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done\n'
        )
    target = tmp_path / "todo.dump"

    out = io.StringIO()
    call_command("backup", "--output", str(target), stdout=out)

    assert target.read_text() == "dump\n"
    assert "backed up to" in out.getvalue()
