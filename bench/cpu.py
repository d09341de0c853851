"""CPU time per request and page: what one core buys, measured so a busy machine does not skew it.

    .venv/bin/python -m bench.cpu        # after `make bench` with BENCH_KEEP=1, or on its own
    BENCH_DB=todo_bench_large .venv/bin/python -m bench.cpu   # a kept large database

Latency and req/s (bench/run.py) depend on what else the machine runs; the CPU
time a request costs barely does. This serves the quick scale's database
(`todo_bench_quick`: reused when it exists, else built as bench/run.py builds
it) with ONE gunicorn sync worker, signs in as the heavy user (10,000 tasks),
and for each page sends REQUESTS sequential requests after a warm-up, reading
the CPU time (user + system, from /proc) of the worker and of every process of
the project-local PostgreSQL before and after. Per page: milliseconds of CPU
per request in the app and in the database, and the requests/s one core
delivers at that cost. Written to bench/results/cpu.md. Needs the local cluster
(its processes are read from /proc), not DATABASE_URL.
"""

import copy
import os
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

from bench.run import (
    ROOT,
    SCALES,
    _database_exists,
    _free_port,
    _list_views,
    _manage,
    _recreate_database,
    _request,
    _sign_in,
    _urls,
    bench_env,
    build,
    say,
)

REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "60"))
TICKS = os.sysconf("SC_CLK_TCK")
RESULTS = ROOT / "bench" / "results" / "cpu.md"


def _cpu_ticks(pids) -> dict[int, int]:
    """{pid: user + system clock ticks} of those processes still running."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def _cpu_ms_since(before: dict[int, int], pids) -> float:
    """CPU milliseconds used since `before` by the processes running now (new ones from 0)."""
    after = _cpu_ticks(pids)
    return sum(t - before.get(pid, 0) for pid, t in after.items()) * 1000 / TICKS


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _postgres_pids() -> list[int]:
    from devtools import localdb

    postmaster = int((localdb.locate().data / "postmaster.pid").read_text().split("\n", 1)[0])
    return [postmaster, *_children(postmaster)]


def _measure(port, cookies, method, path, data_fn=None):
    """`path` may be a function of nothing (a new task to delete each time, say)."""

    def send():
        url = path() if callable(path) else path
        # A POST's message cookie is not kept: as in the load test, each POST
        # arrives with the same cookies (no messages piling up in them).
        jar = copy.copy(cookies) if method == "POST" else cookies
        status = _request(port, method, url, jar, data_fn() if data_fn else None)
        assert status in (200, 302), f"{method} {url} answered {status}"

    for _ in range(5):
        send()
    worker = _children(_GUNICORN.pid)
    app_before, db_before = _cpu_ticks(worker), _cpu_ticks(_postgres_pids())
    started = time.monotonic()
    for _ in range(REQUESTS):
        send()
    wall = time.monotonic() - started
    app = _cpu_ms_since(app_before, worker) / REQUESTS
    db = _cpu_ms_since(db_before, _postgres_pids()) / REQUESTS
    return app, db, wall * 1000 / REQUESTS


_GUNICORN = None


def main() -> int:
    global _GUNICORN
    scale = SCALES["quick"]
    app_url, admin_url = _urls()
    dbname = os.environ.get("BENCH_DB", "todo_bench_quick")
    folder = Path(tempfile.mkdtemp(prefix="todo-bench-cpu-"))
    env = bench_env(app_url, admin_url, dbname, folder)
    if _database_exists(admin_url, dbname):
        say(f"-- reusing the database {dbname}")
        _manage(env, "migrate", "--database", "admin", "--verbosity", "0")
    else:
        _recreate_database(admin_url, dbname)
        build(env, admin_url, scale)
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
    with user_context(heavy.pk):
        task_id = Task.objects.for_owner(heavy).values_list("id", flat=True).first()
        doomed = iter(Task.objects.for_owner(heavy).values_list("id", flat=True)[1 : REQUESTS + 10])
    connection.close()

    port = _free_port()
    _GUNICORN = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            *("-m", "gunicorn", "todo_site.wsgi", "--bind", f"127.0.0.1:{port}"),
            *("--workers", "1", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(port, "GET", "/healthz", SimpleCookie())
                break
            except OSError:
                if time.monotonic() > deadline or _GUNICORN.poll() is not None:
                    sys.exit("bench: gunicorn did not start")
                time.sleep(0.3)
        cookies = _sign_in(port, heavy.email)
        edit = {"title": "Edited by the benchmark", "description": ""}
        pages = [
            ("GET", "/healthz (no middleware, no database)", "/healthz", None),
            ("GET", "no-database page (anonymous login form)", "/accounts/login/", None),
            ("GET", "bare page (baseline)", "/bench/bare/", None),
            *(("GET", label, path, None) for label, path in _list_views(heavy.pk)),
            ("GET", "one task", f"/tasks/{task_id}/", None),
            ("POST", "POST toggle", f"/tasks/{task_id}/toggle/", lambda: {}),
            ("POST", "POST edit", f"/tasks/{task_id}/edit/", lambda: edit),
            ("POST", "POST create", "/tasks/new/", lambda: {"title": "cpu bench task"}),
            ("POST", "POST delete", lambda: f"/tasks/{next(doomed)}/delete/", lambda: {}),
        ]
        rows = []
        for method, label, path, data_fn in pages:
            app, db, wall = _measure(port, cookies, method, path, data_fn)
            rows.append((label, app, db, wall))
            say(f"   {label:45s} app {app:6.1f} ms  db {db:6.1f} ms  wall {wall:7.1f} ms")
    finally:
        _GUNICORN.terminate()
        _GUNICORN.wait(timeout=30)
    lines = [
        "# CPU time per request (bench/cpu.py)",
        "",
        f"{REQUESTS} sequential requests per page after 5 warm-up ones, one gunicorn sync "
        f"worker, the database {dbname} (heavy user: 10,000 tasks), {os.cpu_count()} "
        f"cores; CPU = user + system time from /proc, clock tick {1000 // TICKS} ms. "
        "`db` is every process of the PostgreSQL cluster (the backend and its helpers). "
        "Wall time depends on what else the machine runs; CPU time barely does.",
        "",
        "| page | app CPU ms | db CPU ms | total CPU ms | req/s per core | wall ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, app, db, wall in rows:
        total = app + db
        per_core = 1000 / total if total else float("inf")
        lines.append(
            f"| {label} | {app:.1f} | {db:.1f} | {total:.1f} | {per_core:,.0f} | {wall:.1f} |"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    say(f"-- written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
