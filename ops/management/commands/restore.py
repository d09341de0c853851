"""Restore a backup made by `manage.py backup` with `pg_restore`.

Before changing anything it reads the backup's origin (when and by which
pg_dump from which server version, and its schema version: the last migration
of each app recorded in the backup's django_migrations) and says what it will
replace (the database's users, tasks, archived and deleted tasks). A database holding
users or tasks is replaced only when the operator types its name, or with
`--no-input`; otherwise nothing changes. A backup made by a newer release of
todo_site (migrations this code does not know) is refused: deploy that release
first.

The restore itself replaces the database's objects with the backup's (`--clean
--if-exists`) in a single transaction, so a failed restore, a corrupted file
included, leaves the database exactly as it was. Runs as the administrative
role, which owns the tables.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader

from ops.admin_alias import require_admin_alias
from ops.pg_tools import run_pg_tool

# More rows than this are reported as "more than": counting 100M rows exactly takes a while.
COUNT_CAP = 1_000_000
CONTENT_TABLES = ("users", "tasks", "tasks_archive", "tasks_trash")


@dataclass
class Backup:
    """What `pg_restore --list` and the backup's django_migrations say about it."""

    path: Path
    header: dict[str, str]
    migrations: dict[str, set[str]] = field(default_factory=dict)

    def describe(self) -> str:
        h = self.header
        return (
            f"{self.path} ({self.path.stat().st_size:,} bytes): database "
            f"{h.get('dbname', '?')!r} dumped {h.get('Archive created at', '?')} from "
            f"PostgreSQL {_short(h.get('Dumped from database version'))} by pg_dump "
            f"{_short(h.get('Dumped by pg_dump version'))}"
        )


def _short(version: str | None) -> str:
    return (version or "?").split(" ")[0]


def _read_backup(source: Path, alias: str) -> Backup:
    try:
        listing = run_pg_tool("pg_restore", ["--list", str(source)], alias=alias, failure="")
    except CommandError as exc:
        reason = str(exc)
        if "unsupported version" in reason:
            raise CommandError(
                f"{source} was written by a newer pg_dump than this pg_restore can read "
                f"({reason}): install the PostgreSQL client of the backup's version or newer"
            ) from None
        raise CommandError(f"{source} is not a pg_dump custom-format backup ({reason})") from None
    header = {}
    for line in listing.splitlines():
        key, sep, value = line.lstrip("; ").partition(":")
        if sep and line.startswith(";"):
            header.setdefault(key.strip(), value.strip())
    data = run_pg_tool(
        "pg_restore",
        ["--data-only", "--table=django_migrations", "--file=-", str(source)],
        alias=alias,
        failure=f"cannot read the migrations recorded in {source}",
    )
    backup = Backup(source, header)
    rows = re.search(
        r"^COPY public\.django_migrations \(([^)]*)\) FROM stdin;\n(.*?)^\\\.$", data, re.S | re.M
    )
    if rows:
        columns = [c.strip() for c in rows.group(1).split(",")]
        app, name = columns.index("app"), columns.index("name")
        for line in rows.group(2).splitlines():
            values = line.split("\t")
            backup.migrations.setdefault(values[app], set()).add(values[name])
    return backup


def _schema_version(migrations: dict[str, set[str]], apps: list[str]) -> str:
    latest = [f"{app} {max(migrations[app])}" for app in apps if migrations.get(app)]
    return ", ".join(latest) or "no migrations"


class Command(BaseCommand):
    help = (
        "Restore FILE (a pg_dump custom-format backup) into the database, replacing it; "
        "asks first when the database holds users or tasks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup written by `manage.py backup`")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="replace a database holding users or tasks without asking",
        )

    def handle(self, *args, file, interactive, **options):
        alias = require_admin_alias("restore")
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"no such file: {source}")
        backup = _read_backup(source, alias)
        database = connections[alias].settings_dict["NAME"]
        counts = self._contents(alias)
        self._check_schema(backup, alias)

        self.stdout.write(f"backup: {backup.describe()}")
        if any(counts.get(table, "0") != "0" for table in ("users", "tasks")):
            held = ", ".join(f"{n} {table}" for table, n in counts.items())
            self.stdout.write(
                f"database {database!r} holds {held}: all of it will be replaced by the backup"
            )
            if interactive:
                self._confirm(database)
        else:
            self.stdout.write(f"database {database!r} holds no users or tasks")

        run_pg_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                f"--dbname={database}",
                str(source),
            ],
            alias=alias,
            failure="pg_restore failed, nothing was changed",
        )
        connections[alias].close()  # its view of the tables predates the restore
        now = ", ".join(f"{n} {table}" for table, n in self._contents(alias).items())
        self.stdout.write(self.style.SUCCESS(f"restored {source}: the database now holds {now}"))

    def _contents(self, alias) -> dict[str, str]:
        """Rows per content table, as text ("more than 1,000,000" past the cap); no missing ones."""
        counts = {}
        with connections[alias].cursor() as cursor:
            for table in CONTENT_TABLES:
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
                if not cursor.fetchone()[0]:
                    continue
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT FROM {table} LIMIT %s) AS capped",  # noqa: S608
                    [COUNT_CAP + 1],
                )
                n = cursor.fetchone()[0]
                counts[table] = f"more than {COUNT_CAP:,}" if n > COUNT_CAP else f"{n:,}"
        return counts

    def _check_schema(self, backup: Backup, alias: str) -> None:
        """Refuse a backup of a newer release; say which migrations it is at."""
        loader = MigrationLoader(None, ignore_no_migrations=True)
        known = {}
        for app, name in loader.disk_migrations:
            known.setdefault(app, set()).add(name)
        apps = sorted(known)
        unknown = sorted(
            f"{app}.{name}"
            for app, names in backup.migrations.items()
            for name in names - known.get(app, set())
        )
        if unknown:
            raise CommandError(
                f"{backup.path} has migrations this code does not know ({', '.join(unknown)}): "
                "it was made by a newer release of todo_site; restore it with that release"
            )
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT app, name FROM django_migrations")
                current = {}
                for app, name in cursor.fetchall():
                    current.setdefault(app, set()).add(name)
        except DatabaseError:
            current = {}
            connections[alias].close()
        self.stdout.write(
            f"schema: backup at {_schema_version(backup.migrations, apps)}; "
            f"database at {_schema_version(current, apps)}"
        )
        behind = sorted(
            f"{app}.{name}"
            for app in apps
            for name in known[app] - backup.migrations.get(app, set())
        )
        if behind:
            self.stdout.write(
                f"the backup predates {len(behind)} migration(s) of this code: run "
                "`manage.py migrate --database admin` after restoring"
            )

    def _confirm(self, database: str) -> None:
        try:
            answer = input(f"Type the database name ({database}) to replace it: ")
        except (EOFError, OSError):
            answer = ""
        if answer.strip() != database:
            raise CommandError(
                "not confirmed, nothing was changed (type the database name, or pass --no-input)"
            )
