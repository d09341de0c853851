"""Latency of the spec's operations over HTTP, at the spec's scale per user.

Not part of `make test`: run with `make bench` (about a minute). A user with
10,000 tasks among 100,000 tasks of 201 users; every request goes over HTTP to
a gunicorn worker on 127.0.0.1 with the full stack (session, RLS transaction,
templates), connected as the application role. Medians and p95 over repeated
runs are printed with ratios against baselines measured in the same run,
because these machines are shared and noisy:

- GET /healthz: the HTTP round trip and Django with no database work;
- the list query as the administrative role (no RLS), beside the same query as
  the application role under RLS.

Results go to bench/results/latest.md too. The spec's targets (list < 100 ms,
one task < 30 ms, writes < 50 ms) are asserted on the medians.
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.core.management import call_command
from django.db import connections

from accounts.models import User
from tasks.models import Task
from todo_site.rls import user_context

ROUNDS = 40
ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "latest.md"


def _time(fn, rounds=ROUNDS):
    fn()  # warm up
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _admin(sql, params=()):
    with connections["admin"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _url(alias):
    db = connections[alias].settings_dict
    host = quote(str(db["HOST"]), safe="")
    password = quote(db["PASSWORD"], safe="")
    return f"postgres://{db['USER']}:{password}@{host}:{db['PORT']}/{db['NAME']}"


class Browser:
    """A minimal HTTP client with cookies and the CSRF token, one connection per request."""

    def __init__(self, port):
        self.port = port
        self.cookies = SimpleCookie()

    def request(self, method, path, data=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())}
        body = None
        if method == "POST":
            data = {**(data or {}), "csrfmiddlewaretoken": self.cookies["csrftoken"].value}
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        conn.close()
        return response.status, content


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command(
            "generate_data", "--users", "1", "--tasks-per-user", "10000", "--seed", "1", verbosity=0
        )
        heavy = User.objects.using("admin").order_by("created_at").first()
        call_command(
            "generate_data", "--users", "200", "--tasks-per-user", "450", "--seed", "2", verbosity=0
        )
        _admin("ANALYZE")
        yield heavy
        connections.close_all()
        _admin("TRUNCATE users, django_session, throttle_events CASCADE")


@pytest.fixture(scope="module")
def server(data):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_site.settings_test",
        "DATABASE_URL": _url("default"),
        "ADMIN_DATABASE_URL": _url("admin"),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "todo_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                Browser(port).request("GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_latency(data, server, django_db_blocker):
    heavy = data
    rows = []
    with django_db_blocker.unblock():
        client = Browser(server)
        client.request("GET", "/accounts/login/")
        status, _ = client.request(
            "POST",
            "/accounts/login/",
            {"username": heavy.email, "password": "load-test-password"},
        )
        assert status == 302
        with user_context(heavy.pk):
            task = Task.objects.for_owner(heavy).filter(completed=False).first()
            total = Task.objects.for_owner(heavy).count()
        assert total == 10_000

        def get(url):
            status, content = client.request("GET", url)
            assert status == 200, (url, status)
            return content

        def post(url, data=None, expect=302):
            status, _ = client.request("POST", url, data)
            assert status == expect, (url, status)

        baseline = _time(lambda: get("/healthz"))
        rows.append(("GET /healthz (baseline: no database)", *baseline))
        cases = [
            ("GET /tasks/ (first page of 10,000)", lambda: get("/tasks/"), 100),
            ("GET /tasks/?status=active", lambda: get("/tasks/?status=active"), 100),
            (
                "GET /tasks/?status=completed&page=50",
                lambda: get("/tasks/?status=completed&page=50"),
                100,
            ),
            ("GET /tasks/?q=dentist (search)", lambda: get("/tasks/?q=dentist"), 100),
            ("GET /tasks/<id>/ (one task)", lambda: get(f"/tasks/{task.pk}/"), 30),
            ("POST /tasks/<id>/toggle/", lambda: post(f"/tasks/{task.pk}/toggle/"), 50),
            (
                "POST /tasks/<id>/edit/",
                lambda: post(f"/tasks/{task.pk}/edit/", {"title": "Edited", "description": "x"}),
                50,
            ),
            ("POST /tasks/new/", lambda: post("/tasks/new/", {"title": "Bench task"}), 50),
        ]
        medians = {}
        for name, fn, target in cases:
            median, p95 = _time(fn)
            medians[name] = (median, target)
            rows.append((name, median, p95))

        def delete_one():
            with user_context(heavy.pk):
                victim = Task.objects.for_owner(heavy).filter(title="Bench task").first()
            post(f"/tasks/{victim.pk}/delete/")

        median, p95 = _time(delete_one, rounds=min(ROUNDS, 30))
        medians["POST /tasks/<id>/delete/"] = (median, 50)
        rows.append(("POST /tasks/<id>/delete/ (incl. a lookup)", median, p95))

        list_sql = (
            "SELECT id, title, completed, created_at FROM tasks WHERE user_id = %s "
            "ORDER BY created_at DESC, id DESC LIMIT 50"
        )

        def as_app():
            with user_context(heavy.pk), connections["default"].cursor() as cursor:
                cursor.execute(list_sql, [heavy.pk])
                cursor.fetchall()

        def as_admin():
            _admin(list_sql, [heavy.pk])

        sql_admin = _time(as_admin, rounds=200)
        sql_app = _time(as_app, rounds=200)
        rows.append(("list query, admin role (no RLS, baseline)", *sql_admin))
        rows.append(("list query, application role under RLS (incl. set_config)", *sql_app))

    lines = [
        "| operation | median ms | p95 ms | median / baseline |",
        "|---|---:|---:|---:|",
    ]
    for name, median, p95 in rows:
        base = sql_admin[0] if name.startswith("list query") else baseline[0]
        lines.append(f"| {name} | {median:.2f} | {p95:.2f} | {median / base:.1f}x |")
    report = "\n".join(lines)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report + "\n")
    print("\n" + report)
    for name, (median, target) in medians.items():
        assert median < target, f"{name}: median {median:.1f} ms over the spec's {target} ms"
