"""Isolation through PgBouncer in transaction-pooling mode, with concurrent users.

A transaction-mode pooler hands a server connection to whichever client starts
the next transaction, so anything left on a session (a `SET`, a session-level
`set_config`) would reach another user. Here PgBouncer (Debian's `pgbouncer`,
started for this module on a private unix socket) runs with two server
connections while several users' requests run in parallel threads; no response
may ever show another user's rows, and the users must really share server
connections for that to mean anything.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connections, transaction
from django.test import Client

from accounts.tests.factories import UserFactory
from core.rls import set_rls_user
from tasks.tests.factories import TaskFactory

pytestmark = [pytest.mark.pgbouncer, pytest.mark.urls("core.tests.rls_urls")]

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
PORT = 6432  # names the socket file only: PgBouncer listens on no TCP port here
POOL_SIZE = 2
START_TIMEOUT = 10
REQUESTS_PER_USER = 40
USERS = 4


def _os_user():
    """PgBouncer refuses to run as root: run it as the `postgres` account then."""
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


def _write(path: Path, text: str, owner) -> None:
    path.write_text(text)
    path.chmod(0o600)
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup, django_db_blocker):
    """A PgBouncer in front of the test database; yields its socket directory."""
    db = connections["default"].settings_dict
    owner = _os_user()
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    workdir.chmod(0o700)
    if owner is not None:
        os.chown(workdir, owner.pw_uid, owner.pw_gid)
    _write(workdir / "userlist.txt", f'"{db["USER"]}" "{db["PASSWORD"]}"\n', owner)
    _write(
        workdir / "pgbouncer.ini",
        f"""
[databases]
{db["NAME"]} = host={db["HOST"]} port={db["PORT"] or 5432} dbname={db["NAME"]}

[pgbouncer]
unix_socket_dir = {workdir}
listen_port = {PORT}
auth_type = scram-sha-256
auth_file = {workdir}/userlist.txt
pool_mode = transaction
default_pool_size = {POOL_SIZE}
max_client_conn = 100
server_reset_query =
logfile = {workdir}/pgbouncer.log
""",
        owner,
    )
    kwargs = {}
    if owner is not None:
        kwargs = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    process = subprocess.Popen(  # noqa: S603
        [PGBOUNCER, str(workdir / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd="/",
        **kwargs,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                psycopg.connect(
                    host=str(workdir), port=PORT, dbname=db["NAME"], user=db["USER"],
                    password=db["PASSWORD"], connect_timeout=2,
                ).close()  # fmt: skip
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = workdir / "pgbouncer.log"
                    detail = log.read_text() if log.exists() else process.stderr.read().decode()
                    pytest.fail(f"PgBouncer did not start:\n{detail[-2000:]}")
                time.sleep(0.1)
        yield workdir
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def through_pgbouncer(pgbouncer, committed):
    """Point the application alias at PgBouncer for this test (every thread)."""
    db = connections["default"].settings_dict
    saved = {key: db[key] for key in ("HOST", "PORT", "OPTIONS")}
    connections.close_all()
    # PgBouncer 1.18 keeps no prepared statements across transactions: never prepare.
    db.update(HOST=str(pgbouncer), PORT=str(PORT),
              OPTIONS={**db["OPTIONS"], "prepare_threshold": None})  # fmt: skip
    try:
        yield
    finally:
        connections.close_all()
        db.update(saved)


def _via_pgbouncer() -> bool:
    connections["default"].ensure_connection()
    return connections["default"].connection.info.port == PORT


def test_concurrent_users_through_transaction_pooling_see_only_their_own_rows(
    through_pgbouncer,
):
    assert _via_pgbouncer()
    users, expected = [], {}
    for n in range(USERS):
        user = UserFactory(email=f"pooled{n}@example.com")
        titles = [f"user{n}-task{k}" for k in range(n + 1)]
        for title in titles:
            TaskFactory(user=user, title=title)
        users.append(user)
        expected[str(user.pk)] = sorted(titles)
    connections.close_all()

    failures, seen_pids = [], {}
    lock = threading.Lock()
    paths = ["/rls/unfiltered/", "/rls/raw/", "/rls/lazy/"]

    def act_as(user):
        try:
            client = Client()
            if user is not None:
                client.force_login(user)
            own = expected[str(user.pk)] if user is not None else []
            for i in range(REQUESTS_PER_USER):
                path = paths[i % len(paths)]
                response = client.get(path)
                if response.status_code != 200:
                    raise AssertionError(f"{path}: {response.status_code}")
                if path == "/rls/lazy/":
                    html = response.content.decode()
                    shown = sorted(t for ts in expected.values() for t in ts if f">{t}<" in html)
                    if shown != own:
                        raise AssertionError(f"{path} as {user}: {shown}")
                    continue
                body = response.json()
                if body["titles"] != own or body["rls_user"] != (user and str(user.pk)):
                    raise AssertionError(f"{path} as {user}: {body}")
                with lock:
                    seen_pids.setdefault(body["backend_pid"], set()).add(str(user and user.pk))
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            with lock:
                failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act_as, args=(u,)) for u in [*users, None]]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "requests did not finish in 60 s"
    assert failures == []
    assert time.monotonic() - started < 60
    # The users really shared PgBouncer's server connections.
    assert len(seen_pids) <= POOL_SIZE
    assert max(len(who) for who in seen_pids.values()) > 1


def test_context_never_outlives_its_transaction_on_a_pooled_server_connection(
    through_pgbouncer,
):
    assert _via_pgbouncer()
    alice = UserFactory(email="alice@example.com")
    TaskFactory(user=alice, title="A1")
    for _ in range(10):
        with transaction.atomic():
            set_rls_user(alice.pk)
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM tasks")
                assert cursor.fetchone()[0] == 1
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT current_setting('app.user_id', true), count(*) FROM tasks")
            setting, count = cursor.fetchone()
        assert (setting or "", count) == ("", 0)
