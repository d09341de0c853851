"""TLS to the database, as every hosted PostgreSQL requires, following README.md's hosted section.

A throwaway cluster (not the one the other tests use) serves TLS only on
127.0.0.1 with a self-signed certificate; plain TCP is refused by pg_hba.conf, so
every connection that works below went through TLS. Its roles and grants are
made by running README.md's SQL ("Creating the two roles on a hosted
PostgreSQL") as written; then the README's commands, the site under gunicorn,
backup and restore run through `?sslmode=require` and `?sslmode=verify-full`
URLs, in separate processes configured only by the environment.
"""

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from core.tests.helpers import free_port
from devtools import localdb

PROJECT = Path(__file__).resolve().parents[2]
README = (PROJECT / "README.md").read_text()

pytestmark = pytest.mark.slow  # a throwaway cluster, gunicorn and PostgreSQL client programs
DATABASE = "neondb"  # the README's examples name Neon's default database


def _readme_sql_blocks() -> list[str]:
    section = README.split("### Creating the two roles on a hosted PostgreSQL", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def _statements(block: str) -> list[str]:
    code = "\n".join(line.split("--", 1)[0] for line in block.splitlines())
    return [s.strip() for s in code.split(";") if s.strip()]


def _password(block: str, role: str) -> str:
    return re.search(rf"CREATE ROLE {role} .*?PASSWORD '([^']+)'", block, re.S).group(1)


@pytest.fixture(scope="module")
def hosted():
    """A TLS-only cluster set up by README's SQL: {"port", "certificate", "passwords"}."""
    folder = Path(tempfile.mkdtemp(prefix="todo-tls-", dir="/tmp"))
    folder.chmod(0o755)  # the server's OS user (when root runs the tests) must reach it
    base = folder / "cluster"
    try:
        cluster, _ = localdb.start(tls=True, base=base, bootstrap=False)
        roles_sql, admin_sql, check_sql = _readme_sql_blocks()
        superuser = {
            "host": "127.0.0.1",
            "port": cluster.tls_port,
            "user": localdb.SUPERUSER,
            "password": cluster.credentials()[localdb.SUPERUSER],
            "sslmode": "verify-full",
            "sslrootcert": str(cluster.certificate),
            "autocommit": True,
        }
        with psycopg.connect(**superuser, dbname="postgres") as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        # 1 and 2 as the provider's owner role (here the superuser), 3 as todo_admin.
        with psycopg.connect(**superuser, dbname=DATABASE) as conn:
            for statement in _statements(roles_sql):
                conn.execute(statement)
        passwords = {
            "todo_admin": _password(roles_sql, "todo_admin"),
            "todo_app": _password(roles_sql, "todo_app"),
        }
        admin = {**superuser, "user": "todo_admin", "password": passwords["todo_admin"]}
        with psycopg.connect(**admin, dbname=DATABASE) as conn:
            for statement in _statements(admin_sql):
                conn.execute(statement)
        yield {
            "port": cluster.tls_port,
            "certificate": cluster.certificate,
            "passwords": passwords,
            "check_sql": check_sql,
            "superuser": superuser,
            "folder": folder,
        }
    finally:
        localdb.stop(base=base)
        shutil.rmtree(folder, ignore_errors=True)


def _url(hosted, role, sslmode, root=None):
    url = (
        f"postgresql://{role}:{hosted['passwords'][role]}@127.0.0.1:{hosted['port']}/{DATABASE}"
        f"?sslmode={sslmode}"
    )
    if sslmode.startswith("verify"):
        url += f"&sslrootcert={root or hosted['certificate']}"
    return url


def _env(hosted, sslmode, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "PG"))}
    env.update(
        DATABASE_URL=_url(hosted, "todo_app", sslmode),
        ADMIN_DATABASE_URL=_url(hosted, "todo_admin", sslmode),
        SECRET_KEY="tls-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        DJANGO_SETTINGS_MODULE="todo_site.settings",
        **extra,
    )
    return env


def _manage(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result


def _sign_in_and_list(base_url):
    """The demo user signs in through the login form and sees a demo task."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": "test@example.com",
            "password": "demo-password-123",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (a loopback http URL)
        f"{base_url}/accounts/login/", data=form, headers={"Referer": f"{base_url}/"}
    )
    response = opener.open(request, timeout=10)
    return response.geturl(), response.read().decode()


@pytest.mark.parametrize("sslmode", ["require", "verify-full"])
def test_readme_setup_site_backup_and_restore_work_through_tls(hosted, sslmode, tmp_path):
    env = _env(hosted, sslmode)

    # README: migrate, a staff account, the RLS check for DATABASE_URL (each
    # process costs seconds here, so the once-only steps run with the first mode).
    _manage(env, "migrate", "--database", "admin")
    if sslmode == "require":
        _manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": "staff-password-123"},
            "createsuperuser", "--database", "admin", "--noinput",
            "--email", "staff@example.com",
        )  # fmt: skip
        assert "no issues" in _manage(env, "check", "--database", "default").stdout
    _manage(env, "seed_demo")  # changes nothing the second time

    # The site under gunicorn (its start-up RLS check runs through TLS too).
    port = free_port()
    site = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "todo_site.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT,
        env={**env, "DEBUG": "true"},  # plain-http cookies for this loopback client
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5)
                break
            except OSError:
                if site.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"gunicorn did not start: {site.stderr.read()[-2000:]}"
                    ) from None
                time.sleep(0.3)
        assert ready.status == 200
        final_url, page = _sign_in_and_list(f"http://127.0.0.1:{port}")
        assert final_url.endswith("/tasks/")
        assert "Buy groceries" in page
    finally:
        site.terminate()
        site.wait(timeout=10)

    # backup, then restore over the data (confirmed with --no-input).
    dump = tmp_path / "todo.dump"
    assert "backed up to" in _manage(env, "backup", "--output", str(dump)).stdout
    out = _manage(env, "restore", str(dump), "--no-input").stdout
    assert "restored" in out and "5 tasks" in out


def test_verify_full_refuses_a_server_whose_certificate_it_cannot_verify(hosted):
    other = hosted["folder"] / "other.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(hosted["folder"] / "other.key"),
         "-out", str(other)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = _env(hosted, "verify-full")
    env["DATABASE_URL"] = _url(hosted, "todo_app", "verify-full", root=other)

    result = _manage(env, "check", "--database", "default", check=False)

    assert result.returncode != 0
    assert "certificate verify failed" in result.stdout + result.stderr


def test_plain_tcp_is_refused(hosted):
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        psycopg.connect(**{**hosted["superuser"], "sslmode": "disable"}, dbname=DATABASE)


def test_readme_role_checks_hold(hosted):
    """README's query (4): the application role is f | f and reaches no privileged role."""
    first, second = _statements(hosted["check_sql"])
    for role, expected in (("todo_app", (False, False)), ("todo_admin", (False, True))):
        params = {**hosted["superuser"], "user": role, "password": hosted["passwords"][role]}
        with psycopg.connect(**params, dbname=DATABASE) as conn:
            assert conn.execute(first).fetchone() == (role, *expected)
            assert conn.execute(second).fetchall() == []
