"""Restore a backup made by `manage.py backup` with `pg_restore`.

Replaces the database's objects with the backup's (`--clean --if-exists`) in a
single transaction, so a failed restore leaves the database as it was. Runs as
the administrative role, which owns the tables.
"""

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from todo_site.operators import libpq_environment, pg_tool, require_admin_alias


class Command(BaseCommand):
    help = "Restore FILE (a pg_dump custom-format backup) into the database, replacing it."

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup written by `manage.py backup`")

    def handle(self, *args, file, **options):
        alias = require_admin_alias("restore")
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"no such file: {source}")
        env = libpq_environment(alias)
        check = subprocess.run(  # noqa: S603
            [pg_tool("pg_restore"), "--list", str(source)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            raise CommandError(f"{source} is not a pg_dump custom-format backup")
        result = subprocess.run(  # noqa: S603
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-password",
                f"--dbname={env['PGDATABASE']}",
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise CommandError(f"pg_restore failed, nothing was changed: {reason}")
        self.stdout.write(self.style.SUCCESS(f"restored {source}"))
