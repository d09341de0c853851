"""`make bench`: every list view and action side by side with a bare page, under load.

    make bench                 # quick: about 520,000 tasks, a few minutes
    SCALE=large make bench     # the spec's scale: 1,000,000 users, 10 million tasks

Steps, each printed with its time:
1. a database of its own (`todo_bench_<scale>`, next to the configured one:
   the project-local cluster unless DATABASE_URL / ADMIN_DATABASE_URL are set),
   migrated, filled by `generate_data` (heavy users with 10,000 tasks among the
   others, rows interleaved on disk), then VACUUM ANALYZE;
2. the query plans of every list view as the application role under RLS, at
   that scale: no sequential scan, every index scan bounded by the user, no Sort
   fed more rows than a page; a failure makes the run exit non-zero;
3. gunicorn (2 sync workers, DEBUG off, production settings plus the two
   baseline pages of bench/views.py) on a free port of 127.0.0.1, driven by wrk
   in a separate process at 1, 8 and 32 connections over every list view (tabs,
   first and deep pages, search, each sort order), one task, the POST actions,
   and the baselines, measured in the same run: each row in 3 rounds between
   4 slices of the bare page, and compared with those bare slices (medians);
4. one table (req/s, p50, p95, p99 and the ratio to the bare page), printed and
   written to bench/results/<scale>.md, with the workers' memory.
The database is dropped at the end unless BENCH_KEEP=1; BENCH_REUSE=1 reuses a
kept one (skips step 1). BENCH_DURATION sets the seconds per row (3 rounds).
BENCH_DB names the database instead (a copy made with CREATE DATABASE … TEMPLATE,
say). BENCH_PLANS_ONLY=1 stops after step 2 and keeps the database: the plan
check alone, in a minute on a kept large database
(`SCALE=large BENCH_REUSE=1 BENCH_PLANS_ONLY=1 make bench`). For a quick look,
BENCH_CONNECTIONS=8 measures at that count only, and BENCH_ONLY=<regex> only
the rows whose label matches it (and the baselines); the results file is then
not written.
Speed targets are reported, not asserted: these machines are shared and noisy.
"""

import http.client
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk" / "bench.lua"
PAGE_SIZE = 50
CONNECTIONS = tuple(int(n) for n in os.environ.get("BENCH_CONNECTIONS", "1,8,32").split(","))
ONLY = re.compile(os.environ.get("BENCH_ONLY", ""))
SCALES = {
    # users, tasks per user, heavy users (10,000 tasks each), seconds per measurement.
    # Quick: a heavy user holds 2 % of the rows. With 201 users (9 %), walking all
    # users' idx_tasks_created_at was sometimes the planner's cheapest way to a
    # page, and the plan check (rightly, at scale) refused it.
    "quick": {"users": 5_001, "per_user": 100, "heavy": 2, "duration": 5},
    "large": {"users": 1_000_000, "per_user": 10, "heavy": 3, "duration": 10},
}
HEAVY_TASKS = 10_000
PASSWORD = "load-test-password"  # noqa: S105 (generate_data's synthetic users)


def say(message: str) -> None:
    print(message, flush=True)


class Step:
    """`with Step("what"):` prints what runs and how long it took."""

    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        self.started = time.monotonic()
        say(f"-- {self.what} …")
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started
        say(f"   {self.what}: {self.seconds:.1f} s")


# --- the database ---------------------------------------------------------------


def _urls() -> tuple[str, str]:
    app = os.environ.get("DATABASE_URL", "")
    admin = os.environ.get("ADMIN_DATABASE_URL", "")
    if not app:
        sys.path.insert(0, str(ROOT))
        from devtools import localdb

        app, admin = localdb.url(), admin or localdb.url(admin=True)
    if not admin:
        sys.exit("bench: ADMIN_DATABASE_URL is needed to create the benchmark database")
    return app, admin


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connect(url: str, dbname: str | None = None):
    import psycopg

    return psycopg.connect(_with_database(url, dbname) if dbname else url, autocommit=True)


def _database_exists(admin_url: str, name: str) -> bool:
    with _admin_connect(admin_url, "postgres") as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def bench_env(app_url: str, admin_url: str, dbname: str, folder: Path) -> dict:
    """The environment of the benchmark's commands and gunicorn: production settings
    (DEBUG off) on the database `dbname`, static files collected into `folder`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": _with_database(app_url, dbname),
        "ADMIN_DATABASE_URL": _with_database(admin_url, dbname),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_STATIC_ROOT": str(folder / "static"),
    }


def _recreate_database(admin_url: str, name: str) -> None:
    with _admin_connect(admin_url, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(admin_url: str, name: str) -> None:
    with _admin_connect(admin_url, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict, *args: str, quiet: bool = False) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def build(env: dict, admin_url: str, scale: dict) -> dict[str, float]:
    timings = {}
    with Step("migrate") as step:
        _manage(env, "migrate", "--database", "admin", "--verbosity", "0")
    timings["migrate"] = step.seconds
    users, heavy = scale["users"], scale["heavy"]
    tasks = (users - heavy) * scale["per_user"] + heavy * HEAVY_TASKS
    with Step(f"generate_data: {users:,} users, {tasks:,} tasks") as step:
        _manage(
            env,
            "generate_data",
            *("--users", str(users), "--tasks-per-user", str(scale["per_user"])),
            *("--heavy-users", str(heavy), "--heavy-tasks", str(HEAVY_TASKS)),
            *("--password", PASSWORD, "--seed", "11"),
        )
    timings["generate_data"] = step.seconds
    timings["tasks"] = tasks
    with Step("VACUUM ANALYZE") as step, _admin_connect(admin_url) as conn:
        # VACUUM sets the visibility map (index-only counts); ANALYZE the statistics.
        conn.execute("VACUUM (ANALYZE) tasks")
        conn.execute("VACUUM (ANALYZE) users")
    timings["vacuum_analyze"] = step.seconds
    return timings


# --- the pages ------------------------------------------------------------------


def _deep_page(heavy_id, status: str, number: int, sort: str) -> str:
    """The URL the list's own Next links lead to for page `number` (keyset: after the
    last row of the page before)."""
    from core.rls import user_context
    from tasks.models import LIST_ORDERINGS, Task
    from tasks.paging import cursor_of

    with user_context(heavy_id):
        tasks = Task.objects.filter(user_id=heavy_id).with_status(status).in_list_order(sort)
        row = tasks[(number - 1) * PAGE_SIZE - 1]
    query = {"status": status} if status != "all" else {}
    if sort != "newest":
        query["sort"] = sort
    query.update(page=number, after=cursor_of(row, LIST_ORDERINGS[sort]))
    return f"/tasks/?{urlencode(query)}"


def _list_views(heavy_id) -> list[tuple[str, str]]:
    """(label, path) of every list view: each tab's first and a deep page, search, sorts."""
    from tasks.sorting import LIST_ORDERINGS, SORT_DUE, SORT_NEWEST

    views = [
        ("list: All, page 1", "/tasks/"),
        ("list: Active, page 1", "/tasks/?status=active"),
        ("list: Completed, page 1", "/tasks/?status=completed"),
        ("list: All, page 200 (its Next link)", _deep_page(heavy_id, "all", 200, SORT_NEWEST)),
        (
            "list: Active, page 100 (its Next link)",
            _deep_page(heavy_id, "active", 100, SORT_NEWEST),
        ),
        (
            "list: Completed, page 50 (its Next link)",
            _deep_page(heavy_id, "completed", 50, SORT_NEWEST),
        ),
        # A page number typed by hand: its place read off the index, then keyset.
        ("list: All, page 200 typed (?page=200)", "/tasks/?page=200"),
        ("search: common word (groceries)", "/tasks/?q=groceries"),
        # generate_data's descriptions are "Note <0-9999>": about ten rows of 10,000.
        ("search: rare word (note 123)", "/tasks/?q=note+123"),
        ("search: no match", "/tasks/?q=xylophone"),
        # The same pages rendered for every request (bench/views.py, `rendered`):
        # what the first view after a change costs; the site's own URL serves the
        # page it kept until then.
        ("list: All, page 1, rendered every time", "/bench/rendered/"),
        ("search: rare word, rendered every time", "/bench/rendered/?q=note+123"),
    ]
    for sort in LIST_ORDERINGS:
        if sort != SORT_NEWEST:
            views.append((f"list: All, sorted {sort}", f"/tasks/?sort={sort}"))
            views.append(
                (f"list: All, sorted {sort}, page 200", _deep_page(heavy_id, "all", 200, sort))
            )
    # The due-date page where the undated tasks start: read as up to three index
    # ranges (the cursor's date, later dates, the undated; tasks/paging.py).
    number = _first_undated_page(heavy_id)
    views.append(
        (
            f"list: All, sorted due, page {number} (dated, then undated)",
            _deep_page(heavy_id, "all", number, SORT_DUE),
        )
    )
    return views


def _first_undated_page(heavy_id) -> int:
    from core.rls import user_context
    from tasks.models import Task

    with user_context(heavy_id):
        dated = Task.objects.filter(user_id=heavy_id, due_date__isnull=False).count()
    return dated // PAGE_SIZE + 1


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def _plan_problems(plan: dict) -> list[str]:
    """What breaks the rules: a Seq Scan on tasks, an index scan not bounded by the user
    (but for up to a page of rows named by key), a Sort fed more rows than a page."""
    problems = []
    for node in _plan_nodes(plan["Plan"]):
        kind = node["Node Type"]
        if kind == "Seq Scan" and node.get("Relation Name") == "tasks":
            problems.append("sequential scan of tasks")
        on_tasks = node.get("Index Name", "").startswith(("idx_tasks", "tasks_pkey"))
        condition = node.get("Index Cond", "")
        # A few rows named by key (a search's matches, up to a page) are the user's own.
        read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * node.get(
            "Actual Loops", 1
        )
        by_key = condition.startswith("(id = ANY") and read <= PAGE_SIZE
        if on_tasks and "user_id" not in condition and not by_key:
            problems.append(f"{node['Index Name']} scanned without the user in its condition")
        if kind == "Sort":
            fed = sum(c["Actual Rows"] * c["Actual Loops"] for c in node.get("Plans", []))
            if fed > PAGE_SIZE + 1:
                problems.append(f"Sort fed {fed:,} rows")
    return problems


def _plan_summary(plan: dict) -> str:
    parts = []
    for node in _plan_nodes(plan["Plan"]):
        if "Index Name" in node or node["Node Type"] in ("Seq Scan", "Sort", "Incremental Sort"):
            name = node.get("Index Name", node.get("Relation Name", ""))
            rows = node["Actual Rows"] * node["Actual Loops"]
            removed = node.get("Rows Removed by Filter", 0) * node["Actual Loops"]
            read = f"{rows:,} rows" + (
                f", {removed:,} more removed by its filter" if removed else ""
            )
            parts.append(f"{node['Node Type']} {name} ({read})".replace("  ", " "))
    return "; ".join(parts)


# A query that reads `tasks`: the ORM's (quoted) and raw SQL's (the tab counts).
READS_TASKS = re.compile(r'\bFROM "?tasks"?(?=[\s)]|$)')


def check_plans(heavy, views) -> tuple[list[str], bool]:
    """EXPLAIN ANALYZE every query on tasks that each list view runs, as the application
    role under the heavy user's RLS context. Returns report lines and whether all passed."""
    from django.conf import settings as django_settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from core.rls import user_context

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(heavy)
    # Every view renders here, whatever the page cache kept.
    uncached = override_settings(
        CACHES={
            **django_settings.CACHES,
            "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        }
    )
    uncached.enable()
    lines = ["| view | query on tasks | plan (rows read) | ms | verdict |"]
    lines.append("|---|---|---|---:|---|")
    ok = True
    for label, path in views:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        queries = [q["sql"] for q in captured if READS_TASKS.search(q["sql"])]
        # The planner settings the request changed for some of its queries
        # (tasks.paging.walking_the_index), replayed in order before each query.
        settings = [
            (n, q["sql"]) for n, q in enumerate(captured) if "set_config('enable_" in q["sql"]
        ]
        at = [n for n, q in enumerate(captured) if READS_TASKS.search(q["sql"])]
        for number, (sql, position) in enumerate(zip(queries, at, strict=True), start=1):
            with user_context(heavy.pk), connection.cursor() as cursor:
                for _, setting in filter(lambda s: s[0] < position, settings):
                    cursor.execute(setting)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
            problems = _plan_problems(plan)
            verdict = "; ".join(problems) if problems else "ok"
            ok = ok and not problems
            lines.append(
                f"| {label} | {number} of {len(queries)} | {_plan_summary(plan)} | "
                f"{plan['Execution Time']:.1f} | {verdict} |"
            )
    uncached.disable()
    return lines, ok


# --- the server and the load ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port, method, path, cookies: SimpleCookie, data=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in cookies.items())}
    body = None
    if method == "POST":
        body = urlencode({**(data or {}), "csrfmiddlewaretoken": cookies["csrftoken"].value})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    conn.close()
    return response.status


def _sign_in(port, email) -> SimpleCookie:
    cookies = SimpleCookie()
    _request(port, "GET", "/accounts/login/", cookies)
    status = _request(
        port, "POST", "/accounts/login/", cookies, {"username": email, "password": PASSWORD}
    )
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"bench: signing in as {email} answered {status}")
    return cookies


def _worker_rss_mb(master: subprocess.Popen) -> list[float]:
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master.pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


def wrk(port, path, connections, duration, *, cookies=None, method="GET", body="", ids=None):
    env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_PATH": path,
        "BENCH_BODY": body,
        "BENCH_IDS": str(ids or ""),
        "BENCH_COOKIE": "; ".join(f"{k}={v.value}" for k, v in (cookies or {}).items()),
        "BENCH_CSRF": cookies["csrftoken"].value if cookies else "",
    }
    result = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            *("-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"),
            *("-s", str(LUA), f"http://127.0.0.1:{port}"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH "))
    data = json.loads(line[len("BENCH ") :])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["errors"] = sum(data[k] for k in ("connect_errors", "read_errors", "status_errors"))
    data["errors"] += data["timeouts"]
    return data


def _write_ids(folder: Path, name: str, ids) -> Path:
    path = folder / name
    path.write_text("".join(f"{i}\n" for i in ids))
    return path


BARE = "bare page (baseline)"


def measure(port, heavy_cookies, writer_cookies, views, task_id, writer_ids, to_delete, folder,
            duration):  # fmt: skip
    """Every endpoint at every connection count, each paired with the bare page.

    Each row is measured in ROUNDS rounds of a third of `duration`, each between
    two slices of the bare page (bare, row, bare, row, bare, row, bare), and
    compared with those bare slices; every figure is the median of its rounds,
    as the issue's own measurements were (medians of 3 rounds). The machine
    drifts by a fifth within minutes (the bare page measured 291 and 462 req/s
    within one group of a run): a drift during a row weighs on the row and its
    bare page alike, where bare measurements every few rows left a row up to a
    minute and a half from its baseline. A median also keeps one stall of the
    host (one slice's p99 twice the others') from standing for the row, as the
    mean of two slices did.

    Toggles and edits go round `writer_ids`; each delete takes a task of its own
    from `to_delete` (a second delete of one task would measure a 404 page)."""
    per_count = len(to_delete) // len(CONNECTIONS)
    toggles = _write_ids(folder, "toggle.ids", writer_ids)
    gets = [*views, ("one task", f"/tasks/{task_id}/")]
    bare = (BARE, "/bench/bare/", heavy_cookies, "GET", "", None)
    part_seconds = max(1, duration // ROUNDS)
    rows = []
    for number, connections in enumerate(CONNECTIONS):
        deletes = to_delete[number * per_count : (number + 1) * per_count]
        # One file per slice: each wrk starts at the top of its file.
        delete_ids = tuple(
            _write_ids(folder, f"delete-{connections}-{part}.ids", deletes[part::ROUNDS])
            for part in range(ROUNDS)
        )
        runs = [(label, path, heavy_cookies, "GET", "", None) for label, path in gets]
        runs += [
            ("POST toggle", "/tasks/{id}/toggle/", writer_cookies, "POST", "", toggles),
            (
                "POST edit",
                "/tasks/{id}/edit/",
                writer_cookies,
                "POST",
                "title=Edited+by+the+benchmark&description=",
                toggles,
            ),
            ("POST create", "/tasks/new/", writer_cookies, "POST", "title=Benchmark+task", None),
            ("POST delete", "/tasks/{id}/delete/", writer_cookies, "POST", "", delete_ids),
            ("no-database page (anonymous)", "/bench/nodb/", None, "GET", "", None),
            ("/healthz (no middleware, no database)", "/healthz", None, "GET", "", None),
        ]
        group, bares = [], []
        for run in (run for run in runs if ONLY.search(run[0])):
            slices = {BARE: [], run[0]: []}
            order = [(bare, 0)]
            for part in range(ROUNDS):
                order += [(run, part), (bare, 0)]
            for (label, path, cookies, method, body, ids), part in order:
                if isinstance(ids, tuple):
                    ids = ids[part]
                options = {"cookies": cookies, "method": method, "body": body, "ids": ids}
                slices[label].append(wrk(port, path, connections, part_seconds, **options))
                _drain(port)
            row, baseline = _combined(slices[run[0]]), _combined(slices[BARE])
            row.update(label=run[0], connections=connections)
            row.update(bare=baseline["rps"], bare_p99=baseline["p99"])
            group.append(row)
            bares += slices[BARE]
            say(
                f"   c={connections:>2} {run[0]:45s} {row['rps']:8.1f} req/s  "
                f"p50 {row['p50']:7.1f}  p99 {row['p99']:7.1f} ms  "
                f"x {row['rps'] / row['bare']:.2f} (bare {row['bare']:.1f} req/s, "
                f"p99 {row['bare_p99']:.1f} ms)"
                + (f"  {row['errors']} errors" if row["errors"] else "")
            )
        if bares:
            baseline = _combined(bares)
            baseline.update(label=BARE, connections=connections)
            rows += [{**baseline, "bare": baseline["rps"], "bare_p99": baseline["p99"]}, *group]
    return rows


def _combined(slices: list[dict]) -> dict:
    """Measurements of one endpoint as one: the median of their requests/s and of
    each latency percentile, their time and errors added up."""
    return {
        **{key: statistics.median(m[key] for m in slices) for key in ("rps", "p50", "p95", "p99")},
        "duration_us": sum(m["duration_us"] for m in slices),
        "errors": sum(m["errors"] for m in slices),
    }


DELETE_TITLE = "Benchmark task to delete"
# Rounds per row (and slices of the bare page between and around them).
ROUNDS = 3
# Enough for a 15-second row (3 rounds of a third each) at twice the
# fastest rate measured (about 400 deletes/s): a run that ran out would delete
# tasks already gone, and measure the 404 page instead.
DELETES_PER_COUNT = 12_000


def _tasks_to_delete(writer_id) -> list:
    """Ids of the writer's tasks made for the deletes, topped up to one per delete of
    every row (an earlier run with BENCH_REUSE=1 may have used some).

    Their times are spread over those of the tasks already there, and the table is
    analyzed again: made all at once, they were the newest rows, and with
    statistics that did not know them the planner walked idx_tasks_created_at
    through them for the heavy user's first page (the quick database)."""
    from django.db import connections

    wanted = DELETES_PER_COUNT * len(CONNECTIONS)
    with connections["admin"].cursor() as cursor:
        cursor.execute(
            "SELECT id FROM tasks WHERE user_id = %s AND title = %s", [writer_id, DELETE_TITLE]
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO tasks (id, user_id, title, completed, created_at, updated_at, priority)"
            " SELECT gen_random_uuid(), %s, %s, false, at, at, 0 FROM ("
            "   SELECT first + random() * (last - first) AS at"
            "   FROM (SELECT min(created_at) AS first, max(created_at) AS last FROM tasks) AS span,"
            "        generate_series(1, %s)"
            " ) AS made RETURNING id",
            [writer_id, DELETE_TITLE, max(wanted - len(ids), 0)],
        )
        made = [row[0] for row in cursor.fetchall()]
        if made:
            cursor.execute("ANALYZE tasks")
    return ids + made


def _drain(port) -> None:
    """Wait until the workers have answered what wrk left queued when it stopped, so
    one measurement's backlog does not slow the next (/healthz queues behind it)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            _request(port, "GET", "/healthz", SimpleCookie())
        except OSError:
            continue
        if time.monotonic() - started < 0.5:
            return


def _warm_up(port, heavy_cookies, views):
    for _, path in views:
        _request(port, "GET", path, heavy_cookies)
    _request(port, "GET", "/bench/bare/", heavy_cookies)


def _status_of_actions(port, cookies, task_id) -> dict[str, int]:
    """One request per action before the load: each must redirect (302), or the load
    would measure a form re-rendered with an error."""
    return {
        "toggle": _request(port, "POST", f"/tasks/{task_id}/toggle/", cookies),
        "edit": _request(
            port, "POST", f"/tasks/{task_id}/edit/", cookies, {"title": "Edited", "description": ""}
        ),
        "create": _request(port, "POST", "/tasks/new/", cookies, {"title": "Benchmark task"}),
    }


# --- the report ---------------------------------------------------------------------


def _machine() -> str:
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GB memory"
    except (OSError, AttributeError):
        pass
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average {load:.1f} at the end"
    )


def report(rows, scale_name, timings, plan_lines, plans_ok, rss, pg_version) -> str:
    lines = [
        f"# make bench, SCALE={scale_name}",
        "",
        f"Machine: {_machine()}; PostgreSQL {pg_version}. gunicorn 2 sync workers, DEBUG off; "
        f"wrk, 1 thread, {rows[1]['duration_us'] / 1e6:.0f} s per row in {ROUNDS} rounds, each "
        "between two slices of the bare page as long. "
        f"Workers' resident memory at the end: {', '.join(f'{m:.0f} MB' for m in rss)}.",
        "",
        (
            f"Data: {timings['tasks']:,} tasks; generate_data {timings['generate_data']:.0f} s "
            f"({timings['tasks'] / timings['generate_data']:,.0f} tasks/s, process start "
            f"included), VACUUM ANALYZE {timings['vacuum_analyze']:.0f} s."
            if timings
            else "Data: a database kept by an earlier run (BENCH_REUSE=1)."
        ),
        "",
        "× bare page: requests/s of the row over the bare page's measured around it. Each",
        f"row is measured in {ROUNDS} rounds, each between two slices of the bare page (bare,",
        "row, bare, row, bare, row, bare), so the machine's drift weighs on both alike; each",
        "figure is the median of its rounds (req/s, p50, p95, p99), the bare page's of its",
        f"{ROUNDS + 1} slices around the row (bare p99). The bare page's row: all its slices",
        "of the group. Lists and one task",
        "are read as the heavy user (10,000 tasks); POSTs act on another heavy user's tasks,",
        "each delete on a task of its own.",
        "",
        "| page | conns | req/s | p50 ms | p95 ms | p99 ms | × bare page | bare p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['connections']} | {r['rps']:,.1f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['p99']:.1f} | {r['rps'] / r['bare']:.2f} | "
            f"{r['bare_p99']:.1f} | {r['errors']} |"
        )
    lines += [
        "",
        "## Query plans at this scale (application role, RLS, the heavy user)",
        "",
        "Every query on tasks of every list view, EXPLAIN ANALYZE. Rules: no sequential",
        "scan, every index scan bounded by the user, no Sort fed more rows than a page.",
        f"Result: {'all pass' if plans_ok else 'FAILED'}.",
        "",
        *plan_lines,
        "",
        f"Reproduce: `SCALE={scale_name} make bench`.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    scale_name = os.environ.get("SCALE", "quick")
    if scale_name not in SCALES:
        sys.exit(f"bench: SCALE must be one of {', '.join(SCALES)}, not {scale_name!r}")
    plans_only = os.environ.get("BENCH_PLANS_ONLY") == "1"
    if not plans_only and not shutil.which("wrk"):
        sys.exit("bench: wrk is missing (apt-get install wrk; `make bench` installs it as root)")
    scale = SCALES[scale_name]
    duration = int(os.environ.get("BENCH_DURATION", scale["duration"]))
    app_url, admin_url = _urls()
    dbname = os.environ.get("BENCH_DB") or f"todo_bench_{scale_name}"
    folder = Path(tempfile.mkdtemp(prefix="todo-bench-"))
    env = bench_env(app_url, admin_url, dbname, folder)
    timings = {}
    server = None
    try:
        if os.environ.get("BENCH_REUSE") == "1" and _database_exists(admin_url, dbname):
            say(f"-- reusing the database {dbname} (migrations applied if new)")
            _manage(env, "migrate", "--database", "admin", "--verbosity", "0")
        else:
            _recreate_database(admin_url, dbname)
            timings = build(env, env["ADMIN_DATABASE_URL"], scale)
        # The pages render (check_plans requests them): their static files too.
        _manage(env, "collectstatic", "--noinput", "--verbosity", "0")

        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection

        from accounts.models import User
        from core.rls import user_context
        from tasks.models import Task

        heavy = User.objects.using("admin").get(email__regex=r"^load-[0-9a-f]+-0@example\.test$")
        writer = User.objects.using("admin").get(email__regex=r"^load-[0-9a-f]+-1@example\.test$")
        with user_context(heavy.pk):
            task_id = Task.objects.for_owner(heavy).values_list("id", flat=True).first()
        with user_context(writer.pk):
            writer_ids = list(Task.objects.for_owner(writer).values_list("id", flat=True))
        to_delete = _tasks_to_delete(writer.pk)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0].split()[0]
        views = _list_views(heavy.pk)

        with Step("query plans of every list view"):
            plan_lines, plans_ok = check_plans(heavy, views)
        say("\n".join(plan_lines))
        connection.close()
        if plans_only:
            say(f"query plans: {'all pass' if plans_ok else 'FAILED'}")
            return 0 if plans_ok else 1

        port = _free_port()
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                *("-m", "gunicorn", "todo_site.wsgi", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "2", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(port, "GET", "/healthz", SimpleCookie())
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("bench: gunicorn did not start")
                time.sleep(0.3)
        heavy_cookies = _sign_in(port, heavy.email)
        writer_cookies = _sign_in(port, writer.email)
        statuses = _status_of_actions(port, writer_cookies, writer_ids[0])
        if set(statuses.values()) != {302}:
            sys.exit(f"bench: an action did not redirect: {statuses}")
        _warm_up(port, heavy_cookies, views)
        with Step(f"load: {len(views) + 9} endpoints × {len(CONNECTIONS)} connection counts"):
            rows = measure(
                port,
                heavy_cookies,
                writer_cookies,
                views,
                task_id,
                writer_ids,
                to_delete,
                folder,
                duration,
            )
        rss = _worker_rss_mb(server)
        text = report(rows, scale_name, timings, plan_lines, plans_ok, rss, pg_version)
        say("\n" + text)
        if CONNECTIONS == (1, 8, 32) and not ONLY.pattern:
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / f"{scale_name}.md").write_text(text)
            say(f"written to {RESULTS / f'{scale_name}.md'}")
        return 0 if plans_ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("BENCH_KEEP") != "1" and not plans_only:
            if "django" in sys.modules and "django.db" in sys.modules:
                from django.db import connections

                connections.close_all()
            _drop_database(admin_url, dbname)


if __name__ == "__main__":
    sys.exit(main())
