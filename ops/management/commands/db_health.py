"""Report on the database's health; exit non-zero when something is wrong.

Row counts, table and index sizes, index usage, row-level security status,
invalid indexes, blocked locks, and the slowest statements when the
pg_stat_statements extension is installed. "Wrong" means: RLS or FORCE off on a
table holding user rows, a policy missing, an invalid index, or a lock wait
longer than --lock-wait seconds. Uses the administrative role when configured
(its statistics cover every user's rows), the application role otherwise.

The report is gathered once as data and printed either for people or, with
`--json`, as one JSON document for a monitoring system: every check with its
name, status ("ok" or "problem"), value and threshold, plus the tables, indexes
and slow statements. The exit status is the same either way.
"""

import json
from dataclasses import asdict, dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from core.rls import protected_tables
from ops.admin_alias import admin_alias_or_default


@dataclass
class Check:
    name: str
    status: str  # "ok" or "problem"
    value: object
    threshold: object
    problem: str = ""  # what is wrong and the fix, for a problem

    @classmethod
    def of(cls, name, ok, value, threshold, problem):
        return cls(name, "ok" if ok else "problem", value, threshold, "" if ok else problem)


class Command(BaseCommand):
    help = "Print database health (counts, sizes, index usage, RLS, locks, slow queries)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lock-wait",
            type=float,
            default=30.0,
            help="seconds a lock wait may last before it counts as a problem",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="print one JSON document (for monitoring)",
        )

    def handle(self, *args, lock_wait, as_json, **options):
        if lock_wait <= 0:
            raise CommandError("--lock-wait must be a positive number of seconds")
        alias = admin_alias_or_default()
        try:
            report = self._gather(alias, lock_wait)
        except DatabaseError as exc:
            reason = f"database unavailable: {exc}".splitlines()[0]
            if as_json:
                check = Check("database", "problem", reason, "reachable", reason)
                self._print_json({"healthy": False, "checks": [asdict(check)]})
            raise CommandError(reason) from exc
        problems = [c for c in report["checks"] if c.status == "problem"]
        if as_json:
            self._print_json({**report, "checks": [asdict(c) for c in report["checks"]]})
        else:
            self._print_text(report)
            for check in problems:
                self.stderr.write(self.style.ERROR(f"PROBLEM: {check.problem}"))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) found")
        if not as_json:
            self.stdout.write(self.style.SUCCESS("database healthy"))

    # --- gathering ---------------------------------------------------------------

    def _gather(self, alias, lock_wait) -> dict:
        with connections[alias].cursor() as cursor:
            self.cursor = cursor
            tables = self._tables()
            indexes = self._indexes()
            rls = self._row_level_security()
            waiting = self._lock_waits()
            slow = self._slow_queries()
        checks = [Check("database", "ok", "reachable", "reachable")]
        for table in rls:
            checks += self._rls_checks(table)
        invalid = [i["name"] for i in indexes if not i["valid"]]
        checks.append(
            Check.of(
                "invalid_indexes",
                not invalid,
                len(invalid),
                0,
                "; ".join(f"index {i} is invalid: REINDEX INDEX CONCURRENTLY {i}" for i in invalid),
            )
        )
        longest = max((w["seconds"] for w in waiting), default=0.0)
        over = [w for w in waiting if w["seconds"] > lock_wait]
        checks.append(
            Check.of(
                "lock_wait_seconds",
                not over,
                round(longest, 1),
                lock_wait,
                "; ".join(
                    f"pid {w['pid']} has waited {w['seconds']:.0f}s for a lock" for w in over
                ),
            )
        )
        return {
            "healthy": all(c.status == "ok" for c in checks),
            "database": connections[alias].settings_dict["NAME"],
            "checks": checks,
            "tables": tables,
            "indexes": indexes,
            "row_level_security": rls,
            "lock_waits": waiting,
            "slow_queries": slow,
        }

    def _rows(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def _tables(self):
        return [
            {
                "name": name,
                "rows_estimate": rows,
                "total_bytes": total,
                "table_bytes": table,
                "total_size": total_size,
                "table_size": table_size,
            }
            for name, rows, total, table, total_size, table_size in self._rows(
                """
                SELECT c.relname, GREATEST(c.reltuples, 0)::bigint,
                       pg_total_relation_size(c.oid), pg_relation_size(c.oid),
                       pg_size_pretty(pg_total_relation_size(c.oid)),
                       pg_size_pretty(pg_relation_size(c.oid))
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r'
                ORDER BY pg_total_relation_size(c.oid) DESC
                """
            )
        ]

    def _indexes(self):
        return [
            {
                "table": table,
                "name": index,
                "scans": scans,
                "bytes": size,
                "size": pretty,
                "valid": valid,
            }
            for table, index, scans, size, pretty, valid in self._rows(
                """
                SELECT s.relname, s.indexrelname, s.idx_scan, pg_relation_size(s.indexrelid),
                       pg_size_pretty(pg_relation_size(s.indexrelid)), i.indisvalid
                FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
                WHERE s.schemaname = 'public'
                ORDER BY s.relname, s.indexrelname
                """
            )
        ]

    def _row_level_security(self):
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
        return [
            {
                "table": table,
                "exists": table in status,
                "enabled": status.get(table, (False, False))[0],
                "forced": status.get(table, (False, False))[1],
                "policies": sorted(policies.get(table, ())),
                "expected_policies": sorted(expected_policies[table]),
            }
            for table in expected_policies
        ]

    def _rls_checks(self, table) -> list[Check]:
        name = table["table"]
        if not table["exists"]:
            return [
                Check(
                    f"rls.{name}",
                    "problem",
                    None,
                    "enabled, forced",
                    f"table {name} is missing: run migrate",
                )
            ]
        value = ", ".join(
            [
                "enabled" if table["enabled"] else "not enabled",
                "forced" if table["forced"] else "not forced",
            ]
        )
        missing = sorted(set(table["expected_policies"]) - set(table["policies"]))
        return [
            Check.of(
                f"rls.{name}",
                table["enabled"] and table["forced"],
                value,
                "enabled, forced",
                f"RLS is not enabled and forced on {name}: run migrate",
            ),
            Check.of(
                f"rls_policies.{name}",
                not missing,
                table["policies"],
                table["expected_policies"],
                f"policies missing on {name}: {', '.join(missing)}",
            ),
        ]

    def _lock_waits(self):
        return [
            {"pid": pid, "seconds": seconds, "query": query}
            for pid, seconds, query in self._rows(
                """
                SELECT a.pid, EXTRACT(epoch FROM now() - a.query_start)::float, left(a.query, 80)
                FROM pg_stat_activity a
                WHERE a.wait_event_type = 'Lock' AND a.datname = current_database()
                ORDER BY 2 DESC
                """
            )
        ]

    def _slow_queries(self):
        """The ten slowest statements on average; None without pg_stat_statements."""
        if not self._rows("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"):
            return None
        return [
            {"calls": calls, "mean_ms": round(mean_ms, 3), "query": query}
            for calls, mean_ms, query in self._rows(
                "SELECT calls, mean_exec_time, "
                "left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
                "FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10"
            )
        ]

    # --- printing ------------------------------------------------------------------

    def _print_json(self, document):
        self.stdout.write(json.dumps(document, indent=2, default=str))

    def _heading(self, text):
        self.stdout.write(self.style.MIGRATE_HEADING(text))

    def _print_text(self, report):
        self._heading("Tables (rows estimated from statistics; sizes include indexes)")
        for t in report["tables"]:
            self.stdout.write(
                f"  {t['name']:<32} ~{t['rows_estimate']:>12,} rows  "
                f"{t['total_size']:>10} total  {t['table_size']:>10} table"
            )
        self._heading("Indexes (scans since statistics reset)")
        for i in report["indexes"]:
            self.stdout.write(
                f"  {i['table']:<22} {i['name']:<52} {i['scans']:>10,} scans  {i['size']:>10}"
            )
        self._heading("Row-level security")
        for r in report["row_level_security"]:
            if r["exists"]:
                self.stdout.write(
                    f"  {r['table']:<16} enabled={'yes' if r['enabled'] else 'NO'}  "
                    f"forced={'yes' if r['forced'] else 'NO'}  policies={len(r['policies'])}"
                )
        self._heading("Locks")
        self.stdout.write(f"  {len(report['lock_waits'])} session(s) waiting for a lock")
        for w in report["lock_waits"]:
            self.stdout.write(f"  pid {w['pid']} waiting {w['seconds']:.1f}s: {w['query']}")
        self._heading("Slowest statements (pg_stat_statements)")
        if report["slow_queries"] is None:
            self.stdout.write("  pg_stat_statements is not installed: no statement statistics")
        for q in report["slow_queries"] or []:
            self.stdout.write(f"  {q['mean_ms']:>9.2f} ms x {q['calls']:>8,}  {q['query']}")
