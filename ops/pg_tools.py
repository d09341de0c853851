"""Running PostgreSQL client programs (pg_dump, pg_restore) against a configured alias."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

from core.pgbin import ProgramNotFound, find_program


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL client program (pg_dump, pg_restore).

    The one on PATH, so the operator chooses; where that is Debian's pg_wrapper
    (which picks a version from the local clusters' configuration), the newest
    installed under /usr/lib/postgresql instead.
    """
    on_path = shutil.which(name)
    if on_path and Path(on_path).resolve().name != "pg_wrapper":
        return on_path
    try:
        return find_program(name)
    except ProgramNotFound as exc:
        raise CommandError(str(exc)) from exc


def pg_tool_version(name: str) -> tuple[str, int, str]:
    """(path, major version, version text) of a client program, from `NAME --version`."""
    path = pg_tool(name)
    result = subprocess.run(  # noqa: S603 (fixed program)
        [path, "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"\(PostgreSQL\) (\d+)(\.\d+)?", result.stdout)
    if result.returncode != 0 or not found:
        raise CommandError(f"{path} --version did not say its version: is it a PostgreSQL client?")
    return path, int(found.group(1)), found.group(1) + (found.group(2) or "")


def server_version(alias: str) -> tuple[int, str]:
    """(major version, version text) of the server behind `alias`. One query."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        (number,) = cursor.fetchone()
    return number // 10000, f"{number // 10000}.{number % 10000}"


def libpq_environment(alias: str) -> dict[str, str]:
    """The environment that points libpq tools at `alias`, password kept off the command line."""
    db = connections[alias].settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db["USER"] or ""}
    if db.get("HOST"):
        env["PGHOST"] = str(db["HOST"])
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if option in db.get("OPTIONS", {}):
            env[variable] = str(db["OPTIONS"][option])
    return env


def run_pg_tool(name: str, args: list[str], *, alias: str, failure: str) -> str:
    """Run a PostgreSQL client program against `alias`; returns its standard output.

    On failure, CommandError: `failure` (e.g. "pg_dump failed"), then the program's last line.
    """
    result = subprocess.run(  # noqa: S603 (fixed program, arguments are not shell-parsed)
        [pg_tool(name), "--no-password", *args],
        env=libpq_environment(alias),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise CommandError(f"{failure}: {reason}" if failure else reason)
    return result.stdout
