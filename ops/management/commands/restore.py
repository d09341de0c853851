"""Restore a backup made by `manage.py backup` with `pg_restore`.

Replaces the database's objects with the backup's (`--clean --if-exists`) in a
single transaction, so a failed restore leaves the database as it was. Runs as
the administrative role, which owns the tables.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ops.admin_alias import require_admin_alias
from ops.pg_tools import run_pg_tool


class Command(BaseCommand):
    help = "Restore FILE (a pg_dump custom-format backup) into the database, replacing it."

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup written by `manage.py backup`")

    def handle(self, *args, file, **options):
        alias = require_admin_alias("restore")
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"no such file: {source}")
        try:
            run_pg_tool("pg_restore", ["--list", str(source)], alias=alias, failure="")
        except CommandError:
            raise CommandError(f"{source} is not a pg_dump custom-format backup") from None
        run_pg_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                f"--dbname={connections[alias].settings_dict['NAME']}",
                str(source),
            ],
            alias=alias,
            failure="pg_restore failed, nothing was changed",
        )
        self.stdout.write(self.style.SUCCESS(f"restored {source}"))
