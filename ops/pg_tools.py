"""Running PostgreSQL client programs (pg_dump, pg_restore) against a configured alias."""

import os
import subprocess

from django.core.management.base import CommandError
from django.db import connections

from core.pgbin import ProgramNotFound, find_program


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL client program (pg_dump, pg_restore)."""
    try:
        return find_program(name)
    except ProgramNotFound as exc:
        raise CommandError(str(exc)) from exc


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


def run_pg_tool(name: str, args: list[str], *, alias: str, failure: str) -> None:
    """Run a PostgreSQL client program against `alias`; CommandError with its last line on failure.

    `failure` starts the error message, e.g. "pg_dump failed".
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
        raise CommandError(f"{failure}: {reason}")
