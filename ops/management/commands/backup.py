"""Back up the configured database with `pg_dump -F c` (custom format, compressed).

Runs as the administrative role: under FORCE ROW LEVEL SECURITY only a BYPASSRLS
role can dump every user's rows (pg_dump refuses rather than dump a partial table).
Restore with `manage.py restore FILE`.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.admin_alias import require_admin_alias
from ops.pg_tools import run_pg_tool


class Command(BaseCommand):
    help = "Write a pg_dump custom-format backup of the database to --output FILE."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="file to write (overwritten)")

    def handle(self, *args, output, **options):
        alias = require_admin_alias("backup")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"no such directory: {target.parent}")
        run_pg_tool(
            "pg_dump",
            ["--format=custom", f"--file={target}"],
            alias=alias,
            failure="pg_dump failed",
        )
        size = target.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"backed up to {target} ({size:,} bytes)"))
