"""What the signed database identity costs per request, beside the plain setting it replaced.

Not part of `make test`: run with `make bench`. Before issue 9 the policies read
an unsigned `app.user_id` setting; now `app.current_user_id()` verifies an HMAC
token (a SECURITY DEFINER function reading the key table). Both are timed here
in the same run, interleaved, as the application role over its own connection:

- legacy: a copy of the list's tasks in schema bench_legacy, under the former
  policy and function (`NULLIF(current_setting('app.user_id', true), '')::uuid`);
- now: the real `tasks` table under the real policy and token.

Each sample is one transaction as a request makes it: set the identity, run the
list query (50 newest of 10,000 tasks), commit. The medians and their
difference go to bench/results/identity.md; docs/security.md quotes them.
"""

import statistics
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core import identity
from core.rls import protected_tables

ROUNDS = 400
RESULTS = Path(__file__).parent / "results" / "identity.md"
# The list page's query: the user filter of the code, and the policy's.
LIST_SQL = (
    "SELECT id, title, completed, created_at FROM {table} WHERE user_id = %s "
    "ORDER BY created_at DESC, id DESC LIMIT 50"
)


def _admin(sql, params=None):
    with connections["admin"].cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture(scope="module")
def heavy(django_db_setup, django_db_blocker):
    """One user with 10,000 tasks among 100,000; the legacy copy of the same rows."""
    with django_db_blocker.unblock():
        heavy_id, others = uuid.uuid4(), [uuid.uuid4() for _ in range(9)]
        for n, user_id in enumerate([heavy_id, *others]):
            _admin(
                "INSERT INTO users (id, email, password, is_superuser, is_staff, is_active) "
                "VALUES (%s, %s, '', false, false, true)",
                [user_id, f"identity-bench-{n}@example.test"],
            )
            _admin(
                "INSERT INTO tasks (user_id, title, created_at) SELECT %s, 'task ' || g, "
                "now() - g * interval '1 minute' FROM generate_series(1, 10000) g",
                [user_id],
            )
        app_role = connections["default"].settings_dict["USER"]
        for statement in [
            "CREATE SCHEMA bench_legacy",
            "CREATE FUNCTION bench_legacy.current_user_id() RETURNS uuid LANGUAGE sql "
            "STABLE PARALLEL SAFE AS "
            "$$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$",
            "CREATE TABLE bench_legacy.tasks (LIKE tasks INCLUDING ALL)",
            "INSERT INTO bench_legacy.tasks SELECT * FROM tasks",
            "ALTER TABLE bench_legacy.tasks ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE bench_legacy.tasks FORCE ROW LEVEL SECURITY",
            "CREATE POLICY legacy ON bench_legacy.tasks FOR ALL "
            "USING (user_id = (SELECT bench_legacy.current_user_id()))",
            f"GRANT USAGE ON SCHEMA bench_legacy TO {app_role}",
            f"GRANT SELECT ON bench_legacy.tasks TO {app_role}",
            f"GRANT EXECUTE ON FUNCTION bench_legacy.current_user_id() TO {app_role}",
            "ANALYZE",
        ]:
            _admin(statement)
        yield heavy_id
        connections.close_all()
        _admin("DROP SCHEMA bench_legacy CASCADE")
        _admin("TRUNCATE users CASCADE")


def _app_connection():
    db = connections["default"].settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"], user=db["USER"],
        password=db["PASSWORD"], prepare_threshold=None,
    )  # fmt: skip


def test_identity_cost(heavy):
    conn = _app_connection()

    def legacy():
        with conn.transaction():
            conn.execute("SELECT set_config('app.user_id', %s, true)", [str(heavy)])
            rows = conn.execute(LIST_SQL.format(table="bench_legacy.tasks"), [heavy]).fetchall()
        assert len(rows) == 50

    def signed():
        with conn.transaction():
            # What core/rls.py does: mint, then set with a bound parameter.
            token = identity.make_token(identity.USER, str(heavy))
            conn.execute("SELECT set_config('app.identity', %s, true)", [token])
            rows = conn.execute(LIST_SQL.format(table="tasks"), [heavy]).fetchall()
        assert len(rows) == 50

    def claim_only(function):
        def run():
            with conn.transaction():
                conn.execute(f"SELECT {function}")

        return run

    with conn.transaction():
        conn.execute(
            "SELECT set_config('app.identity', %s, true)",
            [identity.make_token(identity.USER, str(heavy))],
        )
        conn.execute("SELECT set_config('app.user_id', %s, true)", [str(heavy)])
        verify_new = _interleaved(
            {
                "legacy": claim_only("bench_legacy.current_user_id()"),
                "signed": claim_only("app.current_user_id()"),
            }
        )
    request = _interleaved({"legacy": legacy, "signed": signed})
    conn.close()
    page_ms, verifications = _list_page(heavy)
    per_call = verify_new["signed"] - verify_new["legacy"]
    share = verifications * per_call / page_ms

    rows = [
        ("list transaction (set identity + 50 of 10,000 tasks + commit)", request),
        ("identity function alone (one call in its own savepoint)", verify_new),
    ]
    lines = [
        "| what | before: plain setting, median ms | now: signed token, median ms | "
        "difference ms |",
        "|---|---:|---:|---:|",
    ]
    for name, medians in rows:
        lines.append(
            f"| {name} | {medians['legacy']:.3f} | {medians['signed']:.3f} | "
            f"{medians['signed'] - medians['legacy']:+.3f} |"
        )
    lines += [
        "",
        f"GET /tasks/ (first page of 10,000, in-process test client): median {page_ms:.2f} ms, "
        f"{verifications} identity checks (one per statement on a protected table, two for "
        f"the user row); at {per_call:.3f} ms each, the identity costs "
        f"{verifications * per_call:.2f} ms = {share:.1%} of the page.",
    ]
    report = "\n".join(lines)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report + "\n")
    print("\n" + report)
    # The list page stays within 10% of what it cost before (issue 9).
    assert share < 0.10


def _list_page(user_id) -> tuple[float, int]:
    """Median ms of the list page, and how many identity checks one request makes."""
    user = User.objects.using("admin").get(pk=user_id)
    client = Client()
    client.force_login(user)
    samples = []
    for _ in range(30):
        started = time.perf_counter()
        assert client.get("/tasks/").status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connections["default"]) as queries:
        client.get("/tasks/")
    protected = {table.name for table in protected_tables()}
    checks = 0
    for query in queries.captured_queries:
        sql = query["sql"].lower()
        if any(f'"{name}"' in sql or f" {name} " in sql for name in protected):
            checks += 2 if '"users"' in sql else 1  # users reads both claims
    return statistics.median(samples), checks


def _interleaved(cases: dict) -> dict:
    """Median ms of each case, run in turn so that machine noise hits all alike."""
    samples = {name: [] for name in cases}
    for fn in cases.values():
        fn()  # warm up
    for _ in range(ROUNDS):
        for name, fn in cases.items():
            started = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}
