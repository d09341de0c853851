"""`make loadtest`: 100 simulated users against gunicorn (DEBUG off) on a free loopback port.

Each user signs in, then for the run's duration lists, searches, adds, edits, toggles
and deletes its own tasks, with a think time between requests. The client keeps a
model of what the server acknowledged (a 302 for each write) and, afterwards, the
database is compared with it as the administrative role: every acknowledged task
is there in its acknowledged state, nothing else is, and no row sits in another
user's account. A write whose request failed is "uncertain" (it may or may not
have committed): the client stops touching that task, and it may be present or not.

Two runs: a steady one (errors must be 0), then one where PostgreSQL is stopped
and started again in the middle (pg_ctl on the project-local cluster's data
folder): requests during the outage must fail fast with the 503 page, the site
must recover by itself within 5 s, and every acknowledged write must survive.

Everything runs on a throwaway PostgreSQL cluster of its own (devtools/localdb.py
with another folder), removed afterwards, so the restart disturbs nothing else;
with DATABASE_URL set, the run uses that database and skips the restart (it
cannot stop someone else's server).
All traffic goes to 127.0.0.1; every loop is bounded by the run's duration.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "load-test-password-1234"  # noqa: S105 (a throwaway database's users)
THINK_SECONDS = (0.5, 1.5)
MAX_TASKS = 30
RECOVERY_LIMIT_SECONDS = 5.0
SIGN_IN_CONCURRENCY = 8

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOKEN = re.compile(r'name="submit_token" value="([0-9a-f-]{36})"')
_VERSION = re.compile(r'name="version" value="([^"]+)"')
_ROW = re.compile(r'id="task-([0-9a-f-]{36})".*?class="task-title"[^>]*>([^<]*)</a>', re.S)


# --- the server and its database -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(base: Path | None) -> dict:
    """The server's environment: a throwaway cluster in `base`, or DATABASE_URL as given."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "todo_site.settings",
    }
    if base is not None:
        from devtools import localdb

        cluster, _ = localdb.start(base=base)
        env["DATABASE_URL"] = cluster.url(localdb.APP_ROLE)
        env["ADMIN_DATABASE_URL"] = cluster.url(localdb.ADMIN_ROLE)
    return env


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=PROJECT_DIR, env=env, check=True)  # noqa: S603


def _django(env: dict):
    """Django set up in this process for the administrative alias (users, final check)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "ADMIN_DATABASE_URL", "SECRET_KEY")})
    os.environ.update(DJANGO_SETTINGS_MODULE="todo_site.settings", DEBUG="false")
    sys.path.insert(0, str(PROJECT_DIR))
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request


def _create_users(n: int, run: str) -> list[str]:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    password = make_password(PASSWORD)
    emails = [f"load-{run}-{i}@example.com" for i in range(n)]
    User.objects.db_manager("admin").bulk_create(
        [
            User(email=e, name=f"Load {i}", email_verified=True, password=password)
            for i, e in enumerate(emails)
        ]  # fmt: skip
    )
    return emails


def _stored_tasks(emails: list[str]) -> dict[str, dict[str, bool]]:
    from django.db import connections

    from tasks.models import Task

    connections.close_all()  # a connection from before a restart is gone

    rows = Task.objects.using("admin").filter(user__email__in=emails)
    stored: dict[str, dict[str, bool]] = defaultdict(dict)
    for email, title, completed in rows.values_list("user__email", "title", "completed"):
        stored[email][title] = completed
    return stored


class Server:
    """gunicorn serving the site on a free loopback port; stopped by its own pid."""

    def __init__(self, env: dict, workers: int, threads: int, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.process = subprocess.Popen(  # noqa: S603
            [
                gunicorn,
                "todo_site.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--keep-alive",
                "75",
            ],  # fmt: skip
            cwd=PROJECT_DIR,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited at start-up; see {log}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the simulated users --------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    unavailable: list[tuple[float, float]] = field(default_factory=list)  # (at, seconds)
    successes: list[float] = field(default_factory=list)  # monotonic times of 2xx/3xx


@dataclass
class Outage:
    """When PostgreSQL was stopped and when it accepted connections again."""

    stopped_at: float | None = None
    ready_at: float | None = None

    def covers(self, answered_at: float) -> bool:
        """Whether a 503 answered then is expected: from the stop until the recovery limit."""
        if self.stopped_at is None or answered_at < self.stopped_at:
            return False
        return self.ready_at is None or answered_at <= self.ready_at + RECOVERY_LIMIT_SECONDS


class User:
    def __init__(self, client: httpx.AsyncClient, email: str, stats: Stats, outage: Outage):
        self.client, self.email, self.stats, self.outage = client, email, stats, outage
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.token = ""
        self.ids: dict[str, str] = {}  # title -> id, from the last list page
        self.acknowledged: dict[str, bool] = {}  # title -> completed, as the server said
        self.uncertain: set[str] = set()
        self.serial = 0
        self.csrf_after_sign_in = False

    async def request(self, action: str, method: str, url: str, expect: int, data=None):
        """One request; returns the response when it had the expected status, else None."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            data = {"csrfmiddlewaretoken": self.csrf, **(data or {})}
        started = time.monotonic()
        try:
            response = await self.client.request(method, url, data=data, headers=headers)
        except httpx.HTTPError as exc:
            self.stats.errors.append(f"{action}: {type(exc).__name__}")
            return None
        elapsed = time.monotonic() - started
        for header in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if expect == 302 and response.headers.get("location", "").startswith("/accounts/login"):
            self.stats.errors.append(f"{action}: sent to sign in (session lost)")
            return None
        if response.status_code == expect:
            self.stats.latencies[action].append(elapsed)
            self.stats.successes.append(started + elapsed)
            found = _CSRF.search(response.text)
            if found:
                self.csrf = found.group(1)
            return response
        if response.status_code == 503 and "cannot reach its database" in response.text:
            self.stats.unavailable.append((started, elapsed))
            if not self.outage.covers(started + elapsed):
                self.stats.errors.append(f"{action}: 503 outside the outage")
        else:
            self.stats.errors.append(f"{action}: HTTP {response.status_code} for {method} {url}")
        return None

    async def sign_in(self) -> bool:
        """Sign in, then read the list: signing in rotates the CSRF token, so the next
        form must come from a page rendered after it."""
        if not await self.request("sign in", "GET", "/accounts/login/", 200):
            return False
        data = {"username": self.email, "password": PASSWORD}
        if not await self.request("sign in", "POST", "/accounts/login/", 302, data):
            return False
        await self.list("first list")
        return bool(self.csrf_after_sign_in)

    async def list(self, action="list", query=None):
        url = "/tasks/" + (f"?{httpx.QueryParams(query)}" if query else "")
        response = await self.request(action, "GET", url, 200)
        if response is not None:
            self.csrf_after_sign_in = True
            self.ids = {title: pk for pk, title in _ROW.findall(response.text)}
            found = _TOKEN.search(response.text)
            self.token = found.group(1) if found else ""

    def _pick(self) -> str | None:
        known = [t for t in self.acknowledged if t in self.ids and t not in self.uncertain]
        return random.choice(known) if known else None  # noqa: S311

    async def add(self):
        self.serial += 1
        title = f"{self.email.split('@')[0]} task {self.serial}"
        data = {"title": title, "submit_token": self.token or str(uuid.uuid4())}
        ok = await self.request("add", "POST", "/tasks/", 302, data)
        self.token = ""
        if ok:
            self.acknowledged[title] = False
        else:
            self.uncertain.add(title)
        await self.list()

    async def edit(self):
        title = self._pick()
        if title is None:
            return await self.list()
        url = f"/tasks/{self.ids[title]}/edit/"
        form = await self.request("edit form", "GET", url, 200)
        if form is None:
            return
        self.serial += 1
        new = f"{title} e{self.serial}"
        data = {"title": new, "description": "edited", "version": _VERSION.search(form.text)[1]}
        if self.acknowledged[title]:
            data["completed"] = "on"
        if await self.request("edit", "POST", url, 302, data):
            self.acknowledged[new] = self.acknowledged.pop(title)
        else:
            self.uncertain.update({title, new})
        await self.list()

    async def toggle(self):
        title = self._pick()
        if title is None:
            return await self.list()
        wanted = not self.acknowledged[title]
        data = {"completed": "true" if wanted else "false"}
        if await self.request("toggle", "POST", f"/tasks/{self.ids[title]}/toggle/", 302, data):
            self.acknowledged[title] = wanted
        else:
            self.uncertain.add(title)

    async def delete(self):
        title = self._pick()
        if title is None:
            return await self.list()
        if await self.request("delete", "POST", f"/tasks/{self.ids[title]}/delete/", 302):
            del self.acknowledged[title]
            self.ids.pop(title, None)
        else:
            self.uncertain.add(title)

    async def search(self):
        await self.list("search", {"q": f"task {random.randint(1, 9)}"})  # noqa: S311

    async def run(self, deadline: float):
        actions = [self.list, self.search, self.add, self.edit, self.toggle, self.delete]
        weights = [30, 15, 20, 12, 15, 8]
        while time.monotonic() < deadline:
            if len(self.acknowledged) >= MAX_TASKS:
                action = self.delete
            else:
                action = random.choices(actions, weights)[0]  # noqa: S311
            await action()
            await asyncio.sleep(random.uniform(*THINK_SECONDS))  # noqa: S311


async def _sign_in_all(users: list[User]) -> None:
    """Everyone signs in before the clock starts: Argon2 makes a sign-in cost ~0.1 s of CPU
    (far more on a busy machine), so a few at a time, bounded in attempts."""
    gate = asyncio.Semaphore(SIGN_IN_CONCURRENCY)

    async def one(user):
        async with gate:
            for _ in range(3):
                if await user.sign_in():
                    return

    await asyncio.gather(*(one(user) for user in users))


async def _simulate(url, emails, seconds, outage_plan, restart) -> tuple[Stats, list[User], Outage]:
    stats, outage = Stats(), Outage()
    # The client drops an idle connection (5 s) well before the server does (75 s),
    # so no request is ever sent on a connection the server is closing.
    limits = httpx.Limits(
        max_connections=len(emails), max_keepalive_connections=len(emails), keepalive_expiry=5
    )
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        users = [User(client, email, stats, outage) for email in emails]
        await _sign_in_all(users)
        if stats.errors:
            raise SystemExit(f"sign-in failed: {stats.errors[:3]}")
        started = time.monotonic()
        deadline = started + seconds
        jobs = [asyncio.create_task(user.run(deadline)) for user in users]
        if outage_plan:
            stop_after, down_for = outage_plan
            await asyncio.sleep(stop_after)
            outage.stopped_at = time.monotonic()
            await asyncio.to_thread(restart, down_for)
            outage.ready_at = time.monotonic()
        await asyncio.gather(*jobs)
        stats.duration = time.monotonic() - started
    return stats, users, outage


def _restarter(base: Path):
    def restart(down_for: float) -> None:
        from devtools import localdb

        localdb.stop(base)  # pg_ctl -D <the throwaway cluster> -m fast -w stop
        time.sleep(down_for)
        localdb.start(base=base)  # pg_ctl start -w, then waits until it accepts connections

    return restart


# --- the report --------------------------------------------------------------------------


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0] * 1000:.0f}"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[q - 1] * 1000:.0f}"


def _report(title: str, stats: Stats, users: list[User], outage: Outage) -> list[str]:
    lines = [f"## {title}", ""]
    before_clock = ("sign in", "first list")
    total = sum(len(v) for k, v in stats.latencies.items() if k not in before_clock)
    signed_in = len(stats.latencies.get("first list", []))
    lines.append(
        f"{len(users)} users ({signed_in} signed in before the clock started), "
        f"{stats.duration:.0f} s, {total} successful requests "
        f"({total / stats.duration:.1f} req/s), errors: {len(stats.errors)}"
    )
    lines += [
        "",
        "| action | requests | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for action in ("list", "search", "add", "edit form", "edit", "toggle", "delete", "sign in"):
        values = stats.latencies.get(action, [])
        rate = "-" if action == "sign in" else f"{len(values) / stats.duration:.1f}"
        lines.append(
            f"| {action} | {len(values)} | {rate} | "
            f"{_ms(values, 50)} | {_ms(values, 95)} | {_ms(values, 99)} |"
        )
    if outage.stopped_at is not None:
        waits = [elapsed for _, elapsed in stats.unavailable]
        after = [s for s in stats.successes if s > outage.ready_at]
        last_503 = max((at + e for at, e in stats.unavailable), default=outage.stopped_at)
        lines += [
            "",
            f"PostgreSQL stopped for {outage.ready_at - outage.stopped_at:.1f} s "
            "(stop, pause, start until it accepts connections).",
            f"503 pages during the outage: {len(waits)}, answered in p50 {_ms(waits, 50)} ms, "
            f"max {max(waits, default=0) * 1000:.0f} ms.",
            f"First success after PostgreSQL was back: "
            f"{(min(after) - outage.ready_at) if after else float('nan'):.2f} s; "
            f"last 503 ended {max(0.0, last_503 - outage.ready_at):.2f} s after it was back "
            f"(limit {RECOVERY_LIMIT_SECONDS:.0f} s).",
        ]
    if stats.errors:
        counts = defaultdict(int)
        for error in stats.errors:
            counts[error] += 1
        lines += ["", "Errors:"] + [f"- {n} x {e}" for e, n in sorted(counts.items())[:20]]
    return lines


def _check(users: list[User]) -> tuple[list[str], bool]:
    stored = _stored_tasks([u.email for u in users])
    lost = extra = wrong_state = foreign = 0
    acknowledged_total = 0
    for user in users:
        rows = stored.get(user.email, {})
        prefix = f"{user.email.split('@')[0]} task "
        foreign += sum(1 for title in rows if not title.startswith(prefix))
        for title, completed in user.acknowledged.items():
            if title in user.uncertain:
                continue
            acknowledged_total += 1
            if title not in rows:
                lost += 1
            elif rows[title] != completed:
                wrong_state += 1
        extra += sum(1 for t in rows if t not in user.acknowledged and t not in user.uncertain)
    uncertain = sum(len(u.uncertain) for u in users)
    ok = lost == extra == wrong_state == foreign == 0
    line = (
        f"Database check: {acknowledged_total} acknowledged tasks compared; lost {lost}, "
        f"wrong state {wrong_state}, extra {extra}, in another user's account {foreign}; "
        f"{uncertain} uncertain (their request failed) -> {'OK' if ok else 'FAILED'}"
    )
    return [line], ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-outage", action="store_true", help="skip the restart run")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(PROJECT_DIR))
    local = not os.environ.get("DATABASE_URL")
    # A cluster of its own (not the project's), so restarting it disturbs nothing else.
    base = Path(tempfile.gettempdir()) / f"todo_loadtest-{secrets.token_hex(4)}" if local else None
    try:
        return _run_all(args, base)
    finally:
        if base is not None:
            from devtools import localdb

            localdb.stop(base)
            shutil.rmtree(base, ignore_errors=True)


def _run_all(args, base: Path | None) -> int:
    env = _environment(base)
    local = base is not None
    _manage(env, "migrate", "--database", "admin", "--verbosity", "0")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _django(env)
    log_dir = PROJECT_DIR / "loadtest" / "logs"
    log_dir.mkdir(exist_ok=True)

    runs = [("Steady load", None)]
    if not args.no_outage and local:
        # Stopped at a third of the run for 3 s, then started again.
        runs.append(("PostgreSQL restarted mid-run", (args.seconds / 3, 3.0)))
    report, all_ok = ["# make loadtest", ""], True
    for n, (title, plan) in enumerate(runs):
        emails = _create_users(args.users, f"{n}-{secrets.token_hex(3)}")
        server = Server(env, args.workers, args.threads, log_dir / f"gunicorn-{n}.log")
        try:
            stats, users, outage = asyncio.run(
                _simulate(server.url, emails, args.seconds, plan, local and _restarter(base))
            )
        finally:
            server.stop()
        lines = _report(title, stats, users, outage)
        check, ok = _check(users)
        errors_logged = server.log.read_text(errors="replace").count(" ERROR ")
        lines += [
            "",
            *check,
            f"503 answers: {len(stats.unavailable)}; ERROR lines in the server log: "
            f"{errors_logged}",
            "",
        ]
        print("\n".join(lines), flush=True)
        report += lines
        recovered = True
        if plan:
            limit = outage.ready_at + RECOVERY_LIMIT_SECONDS
            late = [a for a, e in stats.unavailable if a + e > limit]
            recovered = not late
        all_ok = all_ok and ok and not stats.errors and recovered
    (log_dir / "report.md").write_text("\n".join(report) + "\n")
    print(f"report: {log_dir / 'report.md'}; {'PASSED' if all_ok else 'FAILED'}")
    return 0 if all_ok else 1
