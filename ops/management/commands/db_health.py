"""Report on the database's health; exit non-zero when something is wrong.

Row counts, table and index sizes, index usage, row-level security status,
invalid indexes, blocked locks, and the slowest statements when the
pg_stat_statements extension is installed. "Wrong" means: RLS or FORCE off on a
table holding user rows, a policy missing, an invalid index, or a lock wait
longer than --lock-wait seconds. Uses the administrative role when configured
(its statistics cover every user's rows), the application role otherwise.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from core.rls import protected_tables
from ops.admin_alias import admin_alias_or_default


class Command(BaseCommand):
    help = "Print database health (counts, sizes, index usage, RLS, locks, slow queries)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lock-wait",
            type=float,
            default=30.0,
            help="seconds a lock wait may last before it counts as a problem",
        )

    def handle(self, *args, lock_wait, **options):
        if lock_wait <= 0:
            raise CommandError("--lock-wait must be a positive number of seconds")
        alias = admin_alias_or_default()
        try:
            with connections[alias].cursor() as cursor:
                self.cursor = cursor
                problems = [
                    *self._tables(),
                    *self._indexes(),
                    *self._row_level_security(),
                    *self._locks(lock_wait),
                ]
                self._slow_queries()
        except DatabaseError as exc:
            raise CommandError(f"database unavailable: {exc}".splitlines()[0]) from exc
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(f"PROBLEM: {problem}"))
            raise CommandError(f"{len(problems)} problem(s) found")
        self.stdout.write(self.style.SUCCESS("database healthy"))

    def _rows(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def _heading(self, text):
        self.stdout.write(self.style.MIGRATE_HEADING(text))

    def _tables(self):
        self._heading("Tables (rows estimated from statistics; sizes include indexes)")
        for name, rows, total, table in self._rows(
            """
            SELECT c.relname, GREATEST(c.reltuples, 0)::bigint,
                   pg_size_pretty(pg_total_relation_size(c.oid)),
                   pg_size_pretty(pg_relation_size(c.oid))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
            ORDER BY pg_total_relation_size(c.oid) DESC
            """
        ):
            self.stdout.write(
                f"  {name:<32} ~{rows:>12,} rows  {total:>10} total  {table:>10} table"
            )
        return []

    def _indexes(self):
        self._heading("Indexes (scans since statistics reset)")
        problems = []
        for table, index, scans, size, valid in self._rows(
            """
            SELECT s.relname, s.indexrelname, s.idx_scan,
                   pg_size_pretty(pg_relation_size(s.indexrelid)), i.indisvalid
            FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
            WHERE s.schemaname = 'public'
            ORDER BY s.relname, s.indexrelname
            """
        ):
            self.stdout.write(f"  {table:<22} {index:<52} {scans:>10,} scans  {size:>10}")
            if not valid:
                problems.append(f"index {index} is invalid: REINDEX INDEX CONCURRENTLY {index}")
        return problems

    def _row_level_security(self):
        self._heading("Row-level security")
        problems = []
        # Tables holding user rows -> the policy names they must have (the apps' declarations).
        expected_policies = {
            table.name: {policy.name for policy in table.policies} for table in protected_tables()
        }
        status = {
            name: (enabled, forced)
            for name, enabled, forced in self._rows(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(%s) AND relkind = 'r'",
                [list(expected_policies)],
            )
        }
        policies = {}
        for table, policy in self._rows(
            "SELECT tablename, policyname FROM pg_policies WHERE tablename = ANY(%s)",
            [list(expected_policies)],
        ):
            policies.setdefault(table, set()).add(policy)
        for table, expected in expected_policies.items():
            if table not in status:
                problems.append(f"table {table} is missing: run migrate")
                continue
            enabled, forced = status[table]
            missing = expected - policies.get(table, set())
            self.stdout.write(
                f"  {table:<16} enabled={'yes' if enabled else 'NO'}  "
                f"forced={'yes' if forced else 'NO'}  policies={len(policies.get(table, ()))}"
            )
            if not (enabled and forced):
                problems.append(f"RLS is not enabled and forced on {table}: run migrate")
            if missing:
                problems.append(f"policies missing on {table}: {', '.join(sorted(missing))}")
        return problems

    def _locks(self, lock_wait):
        self._heading("Locks")
        waiting = self._rows(
            """
            SELECT a.pid, EXTRACT(epoch FROM now() - a.query_start)::float, left(a.query, 80)
            FROM pg_stat_activity a
            WHERE a.wait_event_type = 'Lock' AND a.datname = current_database()
            ORDER BY 2 DESC
            """
        )
        self.stdout.write(f"  {len(waiting)} session(s) waiting for a lock")
        problems = []
        for pid, seconds, query in waiting:
            self.stdout.write(f"  pid {pid} waiting {seconds:.1f}s: {query}")
            if seconds > lock_wait:
                problems.append(f"pid {pid} has waited {seconds:.0f}s for a lock")
        return problems

    def _slow_queries(self):
        self._heading("Slowest statements (pg_stat_statements)")
        installed = self._rows("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
        if not installed:
            self.stdout.write("  pg_stat_statements is not installed: no statement statistics")
            return
        for calls, mean_ms, query in self._rows(
            "SELECT calls, mean_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
            "FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10"
        ):
            self.stdout.write(f"  {mean_ms:>9.2f} ms x {calls:>8,}  {query}")
