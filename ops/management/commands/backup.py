"""Back up the configured database with `pg_dump -F c` (custom format, compressed).

Runs as the administrative role: under FORCE ROW LEVEL SECURITY only a BYPASSRLS
role can dump every user's rows (pg_dump refuses rather than dump a partial table).
Restore with `manage.py restore FILE`.

pg_dump refuses to dump a server of a newer major version than its own, which is
what hosted PostgreSQL runs; the command compares the two first and, when the
client is older, says so in one line with the fix (README.md, "Backups").
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.admin_alias import require_admin_alias
from ops.pg_tools import pg_tool_version, run_pg_tool, server_version


class Command(BaseCommand):
    help = "Write a pg_dump custom-format backup of the database to --output FILE."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="file to write (overwritten)")

    def handle(self, *args, output, **options):
        alias = require_admin_alias("backup")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"no such directory: {target.parent}")
        path, client, client_text = pg_tool_version("pg_dump")
        server, server_text = server_version(alias)
        if client < server:
            raise CommandError(
                f"pg_dump {client_text} ({path}) cannot dump PostgreSQL {server_text}: install "
                f"postgresql-client-{server} or newer (from the PostgreSQL project's apt "
                "repository; the Docker image has it) and put its pg_dump first on PATH"
            )
        run_pg_tool(
            "pg_dump",
            # -B: no large objects. The site stores none, and any role may create
            # one that the administrative role cannot read, which would fail the dump.
            ["--format=custom", "-B", f"--file={target}"],
            alias=alias,
            failure="pg_dump failed",
        )
        size = target.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"backed up to {target} ({size:,} bytes)"))
