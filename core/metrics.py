"""/metrics: Prometheus text format for the site's operators, off unless METRICS_TOKEN is set.

Answered by a middleware placed right after the probes, so it is outside the
request transaction (it still answers, with `todo_db_up 0`, when the database
does not) and before the HTTPS redirect (a scraper reaches the container's port
directly, behind the TLS proxy). Anyone without `Authorization: Bearer
$METRICS_TOKEN` gets the site's ordinary 404 page: a scanner cannot tell that
the endpoint exists.

What it shows:
- per view (the URL pattern's name, so the label set stays small): requests by
  method and status, and a latency histogram; counted by the same middleware for
  every request after the probes but the scrapes themselves (a request for
  /metrics without the token is counted as the 404 it gets, view "unmatched");
- the database as seen from this process: whether it answers, this process's
  connection, and the server's connections by state against max_connections;
- every `settings.METRICS_REFRESH_SECONDS` at most (a minute): live rows and
  bytes per table, and the row-level security start-up check (0 problems = OK).

Under gunicorn each worker counts its own requests. With PROMETHEUS_MULTIPROC_DIR
set (the Dockerfile does), prometheus_client shares the counters through files in
that folder, so any worker's /metrics shows the totals of all of them.
"""

import hmac
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from core.checks import APP_ALIAS, rls_errors
from core.rls import protected_tables

PATH = "/metrics"
# Any other method is counted as "other": a client must not grow the label set.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter(
    "todo_requests",
    "HTTP requests answered, by view (URL pattern name), method and status code",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "todo_request_duration_seconds",
    "Time from the request entering the middleware stack to its response, by view",
    ["view"],
)


def _now() -> float:
    """The clock the one-minute cache reads (tests move it)."""
    return time.monotonic()


class _Slow:
    """Row counts, sizes and the RLS check: computed at most once per refresh interval."""

    lock = threading.Lock()
    computed_at: float | None = None
    families: list = []


def _slow_families(cursor) -> list:
    rows = GaugeMetricFamily(
        "todo_table_live_rows",
        "Live rows per table (PostgreSQL statistics, refreshed at most once a minute)",
        labels=["table"],
    )
    size = GaugeMetricFamily(
        "todo_table_bytes",
        "Bytes per table including its indexes and TOAST (refreshed at most once a minute)",
        labels=["table"],
    )
    index_size = GaugeMetricFamily(
        "todo_table_index_bytes",
        "Bytes of the indexes of each table (refreshed at most once a minute)",
        labels=["table"],
    )
    cursor.execute(
        """
        SELECT c.relname, coalesce(s.n_live_tup, 0), pg_total_relation_size(c.oid),
               pg_indexes_size(c.oid)
        FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.oid IN (SELECT to_regclass(t) FROM unnest(%s::text[]) AS t)
        ORDER BY c.relname
        """,
        [[table.name for table in protected_tables()]],  # the tables holding user rows
    )
    for table, live, total, indexes in cursor.fetchall():
        rows.add_metric([table], live)
        size.add_metric([table], total)
        index_size.add_metric([table], indexes)
    problems = rls_errors(connections[APP_ALIAS])
    rls = GaugeMetricFamily(
        "todo_rls_problems",
        "Problems found by the row-level security start-up check (0 = RLS holds; "
        "`manage.py check --database default` names them)",
        value=len(problems),
    )
    return [rows, size, index_size, rls]


class DatabaseCollector:
    """Collected at scrape time, in the scraping process only (not per worker)."""

    def collect(self):
        connection = connections[APP_ALIAS]
        kept = GaugeMetricFamily(
            "todo_db_connection_open",
            "1 when this process holds an open connection to the database (CONN_MAX_AGE)",
            value=int(connection.connection is not None),
        )
        yield kept
        try:
            with connection.cursor() as cursor:
                yield from self._connections(cursor)
                yield from self._slow(cursor)
        except DatabaseError:
            connection.close()
            yield GaugeMetricFamily("todo_db_up", "1 when the database answers", value=0)
            return
        yield GaugeMetricFamily("todo_db_up", "1 when the database answers", value=1)

    def _connections(self, cursor):
        cursor.execute(
            """
            SELECT current_setting('max_connections')::int,
                   count(*) FILTER (WHERE backend_type = 'client backend'),
                   count(*) FILTER (WHERE usename = current_user AND state = 'active'),
                   count(*) FILTER (WHERE usename = current_user AND state = 'idle'),
                   count(*) FILTER (WHERE usename = current_user
                                    AND state LIKE 'idle in transaction%%'),
                   coalesce(max(extract(epoch FROM now() - xact_start))
                            FILTER (WHERE usename = current_user
                                    AND pid <> pg_backend_pid()), 0)
            FROM pg_stat_activity
            """
        )
        max_conn, clients, active, idle, idle_in_tx, oldest = cursor.fetchone()
        yield GaugeMetricFamily(
            "todo_db_max_connections", "The server's max_connections", value=max_conn
        )
        yield GaugeMetricFamily(
            "todo_db_client_connections",
            "Client connections to the server, every role and database",
            value=clients,
        )
        by_state = GaugeMetricFamily(
            "todo_db_app_connections",
            "Server connections of the application role, by state (behind a pooler: "
            "the pooler's server connections)",
            labels=["state"],
        )
        for state, count in (("active", active), ("idle", idle), ("idle_in_tx", idle_in_tx)):
            by_state.add_metric([state], count)
        yield by_state
        yield GaugeMetricFamily(
            "todo_db_oldest_transaction_seconds",
            "Age of the oldest open transaction of the application role",
            value=float(oldest),
        )

    def _slow(self, cursor):
        with _Slow.lock:
            now = _now()
            age = None if _Slow.computed_at is None else now - _Slow.computed_at
            if age is None or age >= settings.METRICS_REFRESH_SECONDS:
                _Slow.families = _slow_families(cursor)
                _Slow.computed_at, age = now, 0.0
            families = _Slow.families
        yield from families
        yield GaugeMetricFamily(
            "todo_slow_metrics_age_seconds",
            "Seconds since row counts, sizes and the RLS check were computed",
            value=age,
        )


def _registry_text() -> bytes:
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    return generate_latest(requests) + generate_latest(database)


def authorized(request) -> bool:
    """True only with METRICS_TOKEN set and sent as `Authorization: Bearer <token>`."""
    token = settings.METRICS_TOKEN
    if not token:
        return False
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def metrics_view(request) -> HttpResponse:
    return HttpResponse(_registry_text(), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Times and counts every request below it; answers /metrics for the token's bearer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and authorized(request):
            return metrics_view(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unmatched"
        LATENCY.labels(view).observe(time.perf_counter() - started)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response
