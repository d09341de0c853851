"""The project-local PostgreSQL cluster used by `make run` and `make test`.

Kept in `.localdb/` of the project (git-ignored) or, when the server's OS user
cannot reach the project directory (root running from a private folder), in a
folder of the system temp dir named after the project's path. It listens on a
unix socket in that folder only, and creates two login roles so that row-level
security is enforced locally exactly as in production:

- APP_ROLE: every web request. Not superuser, not BYPASSRLS, owns nothing,
  DML on tables through default privileges.
- ADMIN_ROLE: owns the tables (runs migrations), BYPASSRLS, CREATEDB (the test
  runner creates its database with it), not superuser.

A development tool, run as `python manage.py localdb start|stop|status|url [--admin]`
(manage.py hands it the command line before Django loads any settings, since it
provides the database the settings point at). `start` writes both URLs to
`.localdb.env` in the project, which settings.py reads only while DEBUG is on and
settings_test.py reads for the test suite; production sets DATABASE_URL.
Nothing of the site imports this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from core.pgbin import ProgramNotFound, find_program

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENV_FILE = PROJECT_DIR / ".localdb.env"
DB_NAME = "todo_site"
APP_ROLE = "todo_app"
ADMIN_ROLE = "todo_admin"
SUPERUSER = "postgres"
PORT = 5432
# A unix socket path must fit in sockaddr_un.sun_path (107 bytes on Linux).
MAX_SOCKET_PATH = 100
START_TIMEOUT_SECONDS = 30


class LocalDBError(Exception):
    """A one-line, user-facing reason why the local cluster cannot be used."""


@dataclass(frozen=True)
class Cluster:
    base: Path

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "run"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    @property
    def credentials_file(self) -> Path:
        return self.base / "credentials.json"

    @property
    def tls_file(self) -> Path:
        """Written while the server runs with TLS: {"port": N}. Absent otherwise."""
        return self.base / "tls.json"

    @property
    def certificate(self) -> Path:
        """The self-signed certificate (also the root to verify it with: sslrootcert)."""
        return self.base / "tls" / "server.crt"

    @property
    def tls_port(self) -> int | None:
        try:
            return int(json.loads(self.tls_file.read_text())["port"])
        except (OSError, ValueError, KeyError):
            return None

    @property
    def port(self) -> int:
        """The server's port: the unix socket's name and, with TLS, the TCP port."""
        return self.tls_port or PORT

    @property
    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def credentials(self) -> dict[str, str]:
        try:
            return json.loads(self.credentials_file.read_text())
        except (OSError, ValueError):
            return {}

    def url(self, role: str = APP_ROLE, *, tls: str | None = None) -> str:
        """The role's URL over the unix socket or, with `tls` (an sslmode), TCP with TLS."""
        password = quote(self.credentials().get(role, ""), safe="")
        if tls is None:
            host = quote(str(self.socket_dir), safe="")
            return f"postgres://{role}:{password}@{host}:{self.port}/{DB_NAME}"
        if self.tls_port is None:
            raise LocalDBError("the local PostgreSQL is not running with TLS (localdb start --tls)")
        root = quote(str(self.certificate), safe="/")
        return (
            f"postgres://{role}:{password}@127.0.0.1:{self.tls_port}/{DB_NAME}"
            f"?sslmode={tls}&sslrootcert={root}"
        )


def _temp_fallback() -> Path:
    digest = hashlib.sha256(str(PROJECT_DIR).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"todo_site-{PROJECT_DIR.name[:20]}-{digest}"


def _project_local() -> Path:
    return PROJECT_DIR / ".localdb"


def _socket_fits(base: Path) -> bool:
    return len(str(base / "run" / f".s.PGSQL.{PORT:05d}")) <= MAX_SOCKET_PATH


def locate() -> Cluster:
    """The cluster's folder: an existing one wins; otherwise the project's own."""
    for base in (_project_local(), _temp_fallback()):
        if (base / "data" / "PG_VERSION").exists():
            return Cluster(base)
    if _socket_fits(_project_local()):
        return Cluster(_project_local())
    return Cluster(_temp_fallback())


def url(admin: bool = False, tls: str | None = None) -> str:
    return locate().url(ADMIN_ROLE if admin else APP_ROLE, tls=tls)


# --- running the server -----------------------------------------------------


def _server_user() -> pwd.struct_passwd | None:
    """None when we may run the server ourselves; the `postgres` account as root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("LOCALDB_OS_USER", "postgres")
    try:
        return pwd.getpwnam(name)
    except KeyError as exc:
        raise LocalDBError(
            f"running as root, but OS user {name!r} does not exist to run PostgreSQL "
            "(create it, set LOCALDB_OS_USER, or set DATABASE_URL)"
        ) from exc


def find_binary(name: str) -> str:
    try:
        return find_program(name)
    except ProgramNotFound as exc:
        raise LocalDBError(str(exc)) from exc


def _run_as_server(args: list[str], user: pwd.struct_passwd | None, **kw):
    if user is not None:
        kw.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
        kw["env"] = {**os.environ, "HOME": user.pw_dir, "USER": user.pw_name}
        kw.setdefault("cwd", "/")
    return subprocess.run(args, check=False, capture_output=True, text=True, **kw)  # noqa: S603


def _reachable_by(user: pwd.struct_passwd | None, path: Path) -> bool:
    if user is None:
        return True
    probe = _run_as_server(["test", "-w", str(path)], user)
    return probe.returncode == 0


def _prepare_base(user: pwd.struct_passwd | None, where: Path | None = None) -> Cluster:
    cluster = Cluster(where) if where else locate()
    if cluster.initialised:
        return cluster
    for base in [where] if where else (_project_local(), _temp_fallback()):
        if not _socket_fits(base):
            continue
        base.mkdir(mode=0o755, exist_ok=True)
        for sub in ("data", "run"):
            (base / sub).mkdir(mode=0o700, exist_ok=True)
            if user is not None:
                os.chown(base / sub, user.pw_uid, user.pw_gid)
        if user is not None and not _reachable_by(user, base / "data"):
            shutil.rmtree(base, ignore_errors=True)
            continue
        return Cluster(base)
    raise LocalDBError("no folder for the local cluster that the server's OS user can reach")


def is_running(cluster: Cluster | None = None) -> bool:
    cluster = cluster or locate()
    if not cluster.initialised:
        return False
    pid_file = cluster.data / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _initdb(cluster: Cluster, user: pwd.struct_passwd | None) -> None:
    creds = {role: secrets.token_urlsafe(18) for role in (SUPERUSER, APP_ROLE, ADMIN_ROLE)}
    pwfile = cluster.socket_dir / "initdb.pw"
    pwfile.write_text(creds[SUPERUSER] + "\n")
    if user is not None:
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    pwfile.chmod(0o600)
    try:
        result = _run_as_server(
            [
                find_binary("initdb"),
                "-D",
                str(cluster.data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-local=scram-sha-256",
                "--auth-host=reject",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            user,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise LocalDBError(f"initdb failed: {result.stderr.strip().splitlines()[-1:]}")
    cluster.credentials_file.write_text(json.dumps(creds))
    cluster.credentials_file.chmod(0o600)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Over TCP only TLS with a password: plain TCP stays refused (initdb's `host ... reject`).
HBA_TLS = "hostssl all all 127.0.0.1/32 scram-sha-256"


def _prepare_tls(cluster: Cluster, user: pwd.struct_passwd | None) -> str:
    """A self-signed certificate for localhost/127.0.0.1 and the pg_hba line; server options."""
    tls_dir = cluster.certificate.parent
    key = tls_dir / "server.key"
    if not cluster.certificate.exists():
        tls_dir.mkdir(mode=0o755, exist_ok=True)
        result = subprocess.run(  # noqa: S603
            [
                shutil.which("openssl") or "openssl",
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", str(key), "-out", str(cluster.certificate),
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise LocalDBError(f"openssl could not make a certificate: {result.stderr.strip()}")
        key.chmod(0o600)
        cluster.certificate.chmod(0o644)
        if user is not None:
            os.chown(key, user.pw_uid, user.pw_gid)
    hba = cluster.data / "pg_hba.conf"
    lines = hba.read_text().splitlines() if os.access(hba, os.R_OK) else None
    if lines is not None and HBA_TLS not in lines:
        hba.write_text("\n".join([HBA_TLS, *lines]) + "\n")
    return (
        f"-c ssl=on -c ssl_cert_file='{cluster.certificate}' -c ssl_key_file='{key}' "
        "-c listen_addresses=127.0.0.1"
    )


def shared_buffers_mb() -> int:
    """A quarter of the machine's memory, PostgreSQL's advice for shared_buffers
    ("a reasonable starting value"), kept between initdb's 128 MB and 4 GB."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 128
    return max(128, min(memory // 4 // 2**20, 4096))


def _pg_ctl_start(cluster: Cluster, user: pwd.struct_passwd | None, tls: bool = False) -> None:
    cluster.tls_file.unlink(missing_ok=True)
    port = _free_port() if tls else PORT
    # A development cluster, never replicated: minimal WAL lets a bulk load into a
    # table emptied in the same transaction (generate_data) skip writing it twice,
    # as PostgreSQL's "Populating a Database" advises, and a larger WAL allowance
    # spares that load a checkpoint every gigabyte. initdb's 128 MB of buffers
    # would hold little of a 10-million-task database: each write then evicts
    # pages other requests need (docs/scaling.md, "The benchmark's PostgreSQL").
    options = (
        f"-c listen_addresses='' -c unix_socket_directories='{cluster.socket_dir}' "
        f"-c port={port} -c unix_socket_permissions=0777 "
        "-c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=8GB "
        f"-c shared_buffers={shared_buffers_mb()}MB"
    )
    if tls:
        options += " " + _prepare_tls(cluster, user)
    log = cluster.log
    if not log.exists():
        log.touch(mode=0o600)
        if user is not None:
            os.chown(log, user.pw_uid, user.pw_gid)
    result = _run_as_server(
        [
            find_binary("pg_ctl"),
            "-D",
            str(cluster.data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "start",
        ],
        user,
    )
    if result.returncode != 0 and not is_running(cluster):
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        raise LocalDBError(f"PostgreSQL did not start: {(tail or [result.stderr.strip()])[0]}")
    if tls:
        cluster.tls_file.write_text(json.dumps({"port": port}))


def _superuser_connect(cluster: Cluster, dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(
        host=str(cluster.socket_dir),
        port=cluster.port,
        dbname=dbname,
        user=SUPERUSER,
        password=cluster.credentials()[SUPERUSER],
        autocommit=True,
    )


def _wait_until_accepting(cluster: Cluster) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            _superuser_connect(cluster).close()
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise LocalDBError(f"PostgreSQL does not accept connections: {exc}") from exc
            time.sleep(0.2)


# The application role's privileges come from one allowlist that `migrate`
# applies (core/grants.py): default privileges would open every new table to
# it. Revoked here, per database (template1 too: the test database is created
# from it), so that clusters created before the allowlist stop granting them.
DEFAULT_PRIVILEGES = [
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN_ROLE} IN SCHEMA public REVOKE {what} FROM {APP_ROLE}"
    for what in (
        "SELECT, INSERT, UPDATE, DELETE ON TABLES",
        "USAGE, SELECT ON SEQUENCES",
        "EXECUTE ON FUNCTIONS",
    )
]


def _bootstrap(cluster: Cluster) -> None:
    """Create the two roles and the database; safe to repeat."""
    from psycopg import sql

    creds = cluster.credentials()
    with _superuser_connect(cluster) as conn:
        existing = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
        role_attrs = {
            ADMIN_ROLE: "LOGIN NOSUPERUSER BYPASSRLS CREATEDB NOCREATEROLE",
            APP_ROLE: "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT",
        }
        for role, attrs in role_attrs.items():
            verb = "ALTER" if role in existing else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} " + attrs + " PASSWORD {}").format(
                    sql.SQL(verb), sql.Identifier(role), sql.Literal(creds[role])
                )
            )
        # A stuck transaction must not hold a pooled connection for ever.
        conn.execute(f"ALTER ROLE {APP_ROLE} SET idle_in_transaction_session_timeout = '60s'")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f"CREATE DATABASE {DB_NAME} OWNER {ADMIN_ROLE}")
    for dbname in ("template1", DB_NAME):
        with _superuser_connect(cluster, dbname) as conn:
            for statement in DEFAULT_PRIVILEGES:
                conn.execute(statement)
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")


def start(
    *, tls: bool = False, base: Path | None = None, bootstrap: bool = True
) -> tuple[Cluster, bool]:
    """Start the cluster (creating it on first use). Returns (cluster, started_now).

    With `tls`, the server also listens on 127.0.0.1 on a free port with a
    self-signed certificate, for TLS connections only (`Cluster.url(tls=...)`).
    `base` puts a cluster in another folder and `bootstrap=False` leaves out
    the roles and the database (the TLS test's throwaway cluster, which creates
    them as README.md tells a hosted deployment to).
    """
    user = _server_user()
    cluster = _prepare_base(user, base)
    if not cluster.initialised:
        _initdb(cluster, user)
    started_now = False
    if not is_running(cluster):
        _pg_ctl_start(cluster, user, tls=tls)
        started_now = True
    elif tls and cluster.tls_port is None:
        raise LocalDBError(
            "the local PostgreSQL is running without TLS: stop it (localdb stop), "
            "then start it with --tls"
        )
    _wait_until_accepting(cluster)
    if bootstrap:
        _bootstrap(cluster)
    if base is None:  # the project's own cluster, not a throwaway one (tests)
        write_env_file(cluster)
    return cluster, started_now


def write_env_file(cluster: Cluster) -> None:
    """Write DATABASE_URL and ADMIN_DATABASE_URL of the cluster to ENV_FILE (mode 600)."""
    ENV_FILE.touch(mode=0o600)
    ENV_FILE.chmod(0o600)
    ENV_FILE.write_text(
        "# Written by `python manage.py localdb start`: the project-local cluster.\n"
        f"DATABASE_URL={cluster.url(APP_ROLE)}\n"
        f"ADMIN_DATABASE_URL={cluster.url(ADMIN_ROLE)}\n"
    )


def stop(base: Path | None = None) -> bool:
    """Stop the cluster if it runs. Returns whether it was running."""
    cluster = Cluster(base) if base else locate()
    cluster.tls_file.unlink(missing_ok=True)
    if not is_running(cluster):
        return False
    result = _run_as_server(
        [find_binary("pg_ctl"), "-D", str(cluster.data), "-m", "fast", "-w", "stop"], _server_user()
    )
    if result.returncode != 0 and is_running(cluster):
        raise LocalDBError(f"pg_ctl stop failed: {result.stderr.strip()}")
    return True


# --- command line ---------------------------------------------------------------


def main(argv: list[str]) -> int:
    """`localdb start|stop|status|url [--admin] [--tls [MODE]]`; a one-line reason and 1 on failure.

    `start --tls` also listens on 127.0.0.1 (a free port) for TLS connections with a
    self-signed certificate, as a hosted PostgreSQL would; `url --tls verify-full`
    prints a URL that uses it.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="manage.py localdb",
        description="Manage the project-local PostgreSQL cluster (start, stop, status, url).",
    )
    parser.add_argument("action", choices=["start", "stop", "status", "url"])
    parser.add_argument(
        "--admin", action="store_true", help="with url: the administrative role's URL"
    )
    parser.add_argument(
        "--tls",
        nargs="?",
        const="verify-full",
        choices=["require", "verify-ca", "verify-full"],
        help="with start: also serve TLS on 127.0.0.1; with url: that URL, with this "
        "sslmode (default verify-full)",
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            cluster, started_now = start(tls=bool(args.tls))
            verb = "started" if started_now else "already running"
            print(f"local PostgreSQL {verb} in {cluster.base}")
            if cluster.tls_port:
                print(
                    f"TLS on 127.0.0.1:{cluster.tls_port} (certificate {cluster.certificate}); "
                    "URLs: localdb url --tls [--admin]"
                )
        elif args.action == "stop":
            print("local PostgreSQL stopped" if stop() else "local PostgreSQL was not running")
        elif args.action == "status":
            cluster = locate()
            if is_running(cluster):
                tls = f", TLS on 127.0.0.1:{cluster.tls_port}" if cluster.tls_port else ""
                print(f"running in {cluster.base}{tls}")
            elif cluster.initialised:
                print(f"stopped ({cluster.base})")
            else:
                print("not created yet (run: python manage.py localdb start)")
        else:
            print(url(admin=args.admin, tls=args.tls))
    except LocalDBError as exc:
        print(f"localdb: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
