"""Back up the configured database with `pg_dump -F c` (custom format, compressed).

Runs as the administrative role: under FORCE ROW LEVEL SECURITY only a BYPASSRLS
role can dump every user's rows (pg_dump refuses rather than dump a partial table).
Restore with `manage.py restore FILE`.
"""

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from todo_site.operators import libpq_environment, pg_tool, require_admin_alias


class Command(BaseCommand):
    help = "Write a pg_dump custom-format backup of the database to --output FILE."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="file to write (overwritten)")

    def handle(self, *args, output, **options):
        alias = require_admin_alias("backup")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"no such directory: {target.parent}")
        result = subprocess.run(  # noqa: S603 (fixed program, arguments are not shell-parsed)
            [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"],
            env=libpq_environment(alias),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise CommandError(f"pg_dump failed: {reason}")
        size = target.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"backed up to {target} ({size:,} bytes)"))
