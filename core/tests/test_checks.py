"""The row-level security system check, against real roles and a real catalog.

Roles are created for each test by the local cluster's superuser (bootstrap only)
and dropped afterwards; the check itself always runs through an ordinary Django
connection logged in as the role under test, as the site would be. Schema
changes (RLS off, a policy altered) are made by the administrative role, the
tables' owner, and undone in the same test.
"""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from psycopg import sql

from core.checks import (
    check_row_level_security,
    refuse_to_start_unless_rls_holds,
    rls_errors,
)
from core.identity import USER, make_token
from core.rls import protected_tables
from devtools import localdb

PROJECT_DIR = Path(settings.BASE_DIR)
PASSWORD = "probe-password-0123456789"


def _db():
    return connections["default"].settings_dict


@pytest.fixture
def superuser(committed):
    """A psycopg connection as the local cluster's superuser, for CREATE ROLE only."""
    password = localdb.locate().credentials().get(localdb.SUPERUSER)
    assert password, "these tests need the project-local cluster (manage.py localdb start)"
    with psycopg.connect(
        host=_db()["HOST"], port=_db()["PORT"], dbname=_db()["NAME"],
        user=localdb.SUPERUSER, password=password, autocommit=True,
    ) as conn:  # fmt: skip
        yield conn


@pytest.fixture
def make_role(superuser):
    """make_role("BYPASSRLS") -> a fresh role name, dropped after the test."""
    created = []

    def make(attributes="", *, login=True):
        name = f"rls_probe_{uuid.uuid4().hex[:10]}"
        superuser.execute(
            sql.SQL("CREATE ROLE {} " + ("LOGIN " if login else "NOLOGIN ") + attributes
                    + " PASSWORD {}").format(sql.Identifier(name), sql.Literal(PASSWORD))
        )  # fmt: skip
        created.append(name)
        # What any role of the cluster may have: the schemas' names, not their contents.
        superuser.execute(
            sql.SQL("GRANT USAGE ON SCHEMA public, app TO {}").format(sql.Identifier(name))
        )
        return name

    yield make
    for name in reversed(created):
        superuser.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        superuser.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@contextmanager
def _connection_as(user, password=PASSWORD, **changes):
    """A separate Django connection to the test database as another role."""
    settings_dict = {**_db(), "USER": user, "PASSWORD": password, **changes}
    wrapper = connections["default"].__class__(settings_dict, alias="rls_probe")
    try:
        yield wrapper
    finally:
        wrapper.close()


def _ids(user, password=PASSWORD, **changes):
    with _connection_as(user, password, **changes) as connection:
        return sorted({error.id for error in rls_errors(connection)})


@contextmanager
def _as_owner(do, undo):
    """Change the schema as the tables' owner (the administrative role), then undo it."""
    with connections["admin"].cursor() as cursor:
        cursor.execute(do)
    try:
        yield
    finally:
        with connections["admin"].cursor() as cursor:
            cursor.execute(undo)


# --- the application role on a migrated database passes -----------------------------


def test_the_application_role_on_the_migrated_database_passes(committed):
    assert rls_errors(connections["default"]) == []
    assert check_row_level_security(databases=["default"]) == []
    refuse_to_start_unless_rls_holds()  # does not raise


def test_the_database_check_runs_only_when_asked_for_the_default_database(committed):
    with _as_owner("ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY",
                   "ALTER TABLE tasks FORCE ROW LEVEL SECURITY"):  # fmt: skip
        assert check_row_level_security(databases=None) == []
        assert check_row_level_security(databases=["admin"]) == []
        assert [e.id for e in check_row_level_security(databases=["default"])] == ["todo_site.E008"]


# --- roles that skip row-level security ----------------------------------------------


def test_a_superuser_is_refused(superuser):
    password = localdb.locate().credentials()[localdb.SUPERUSER]
    with _connection_as(localdb.SUPERUSER, password) as connection:
        errors = rls_errors(connection)
    assert "todo_site.E002" in {e.id for e in errors}
    superuser_error = next(e for e in errors if e.id == "todo_site.E002")
    assert "superuser" in superuser_error.msg and "DATABASE_URL" in superuser_error.hint


def test_a_bypassrls_role_is_refused(make_role):
    role = make_role("NOSUPERUSER BYPASSRLS")
    assert _ids(role) == ["todo_site.E003"]


def test_the_administrative_role_is_refused_as_bypassrls_and_owner(committed):
    admin = connections["admin"].settings_dict
    assert _ids(admin["USER"], admin["PASSWORD"]) == ["todo_site.E003", "todo_site.E005"]


def test_a_role_that_can_set_role_into_a_bypassrls_role_is_refused(make_role, superuser):
    # BYPASSRLS is not inherited, but `SET ROLE` into the bypassing role works.
    bypassing = make_role("BYPASSRLS", login=False)
    member = make_role("NOINHERIT")
    superuser.execute(sql.SQL("GRANT {} TO {}").format(
        sql.Identifier(bypassing), sql.Identifier(member)))  # fmt: skip
    assert _ids(member) == ["todo_site.E004"]
    with _connection_as(member) as connection:
        message = next(e for e in rls_errors(connection) if e.id == "todo_site.E004")
    assert bypassing in message.msg and f"REVOKE {bypassing} FROM {member}" in message.hint


def test_a_role_reaching_a_superuser_through_two_memberships_is_refused(make_role, superuser):
    top = make_role("SUPERUSER", login=False)
    middle = make_role(login=False)
    member = make_role()
    for granted, grantee in ((top, middle), (middle, member)):
        superuser.execute(sql.SQL("GRANT {} TO {}").format(
            sql.Identifier(granted), sql.Identifier(grantee)))  # fmt: skip
    assert _ids(member) == ["todo_site.E004"]


def test_a_member_of_the_tables_owner_is_refused(make_role, superuser):
    owner = make_role(login=False)  # owns users here, without BYPASSRLS
    member = make_role()
    superuser.execute(sql.SQL("GRANT {} TO {}").format(
        sql.Identifier(owner), sql.Identifier(member)))  # fmt: skip
    admin_role = connections["admin"].settings_dict["USER"]
    superuser.execute(sql.SQL("ALTER TABLE users OWNER TO {}").format(sql.Identifier(owner)))
    try:
        with _connection_as(member) as connection:
            errors = rls_errors(connection)
    finally:
        superuser.execute(
            sql.SQL("ALTER TABLE users OWNER TO {}").format(sql.Identifier(admin_role))
        )
    assert [e.id for e in errors] == ["todo_site.E005"]
    assert "'users'" in errors[0].msg and f"REVOKE {owner}" in errors[0].hint


def test_a_session_default_identity_is_refused(committed):
    # e.g. DATABASE_URL=...?options=-c app.identity=... : every query without a
    # request context would act for whoever the token names.
    token = make_token(USER, str(uuid.uuid4()))
    assert _ids(
        _db()["USER"], _db()["PASSWORD"],
        OPTIONS={**_db()["OPTIONS"], "options": f"-c app.identity={token}"},
    ) == ["todo_site.E011"]  # fmt: skip


# --- the schema ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("do", "undo", "expected"),
    [
        ("ALTER TABLE tasks DISABLE ROW LEVEL SECURITY",
         "ALTER TABLE tasks ENABLE ROW LEVEL SECURITY", ["todo_site.E007"]),
        ("ALTER TABLE users NO FORCE ROW LEVEL SECURITY",
         "ALTER TABLE users FORCE ROW LEVEL SECURITY", ["todo_site.E008"]),
        ("ALTER TABLE tasks_archive NO FORCE ROW LEVEL SECURITY",
         "ALTER TABLE tasks_archive FORCE ROW LEVEL SECURITY", ["todo_site.E008"]),
        ("ALTER TABLE tasks_trash NO FORCE ROW LEVEL SECURITY",
         "ALTER TABLE tasks_trash FORCE ROW LEVEL SECURITY", ["todo_site.E008"]),
        ("DROP POLICY tasks_trash_owner_only ON tasks_trash",
         "CREATE POLICY tasks_trash_owner_only ON tasks_trash FOR ALL "
         "USING (user_id = (SELECT app.current_user_id())) "
         "WITH CHECK (user_id = (SELECT app.current_user_id()))", ["todo_site.E009"]),
        ("ALTER POLICY users_self_delete ON users RENAME TO users_delete_renamed",
         "ALTER POLICY users_delete_renamed ON users RENAME TO users_self_delete",
         ["todo_site.E009", "todo_site.E010"]),
        ("DROP POLICY tasks_owner_only ON tasks",
         "CREATE POLICY tasks_owner_only ON tasks FOR ALL "
         "USING (user_id = (SELECT app.current_user_id())) "
         "WITH CHECK (user_id = (SELECT app.current_user_id()))", ["todo_site.E009"]),
        ("ALTER POLICY tasks_owner_only ON tasks USING (true)",
         "ALTER POLICY tasks_owner_only ON tasks "
         "USING (user_id = (SELECT app.current_user_id()))", ["todo_site.E009"]),
        ("CREATE POLICY tasks_shared ON tasks FOR SELECT USING (true)",
         "DROP POLICY tasks_shared ON tasks", ["todo_site.E010"]),
        ("CREATE POLICY tasks_narrow ON tasks AS RESTRICTIVE FOR SELECT USING (true)",
         "DROP POLICY tasks_narrow ON tasks", []),
    ],
    ids=["rls-off", "no-force", "archive-no-force", "trash-no-force", "trash-policy-dropped",
         "policy-renamed", "policy-dropped",
         "policy-opened", "extra-permissive", "extra-restrictive"],
)  # fmt: skip
def test_a_schema_without_full_protection_is_refused(committed, do, undo, expected):
    with _as_owner(do, undo):
        errors = rls_errors(connections["default"])
        assert sorted(e.id for e in errors) == expected
        assert all(e.hint for e in errors)
        if expected:
            with pytest.raises(ImproperlyConfigured, match="refuses to start"):
                refuse_to_start_unless_rls_holds()
    assert rls_errors(connections["default"]) == []  # undone


def test_an_unmigrated_database_says_run_migrate_instead_of_crashing(committed):
    with _connection_as(_db()["USER"], _db()["PASSWORD"], NAME="postgres") as connection:
        errors = rls_errors(connection)
    assert [e.id for e in errors] == ["todo_site.E006"] * len(protected_tables())
    assert all("migrate --database admin" in e.hint for e in errors)


def test_an_unreachable_database_is_an_error_not_a_traceback(committed):
    errors = rls_errors(
        connections["default"].__class__({**_db(), "PASSWORD": "wrong"}, alias="rls_probe")
    )
    assert [e.id for e in errors] == ["todo_site.E001"]
    assert "password authentication failed" in errors[0].msg


# --- the site refuses to start --------------------------------------------------------


def _url(user, password):
    host = quote(_db()["HOST"], safe="")
    return f"postgres://{user}:{quote(password, safe='')}@{host}:{_db()['PORT']}/{_db()['NAME']}"


def _run(args, database_url, timeout=60):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_site.settings_test",
        "DATABASE_URL": database_url,
    }
    env.pop("ADMIN_DATABASE_URL", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture
def admin_url(committed):
    admin = connections["admin"].settings_dict
    return _url(admin["USER"], admin["PASSWORD"])


@pytest.mark.slow
@pytest.mark.parametrize("module", ["todo_site.wsgi", "todo_site.asgi"])
def test_wsgi_and_asgi_refuse_to_start_as_a_bypassrls_role(admin_url, module):
    result = _run(["-c", f"import {module}"], admin_url)
    assert result.returncode != 0
    assert "ImproperlyConfigured: todo_site refuses to start" in result.stderr
    assert "todo_site.E003" in result.stderr and "BYPASSRLS" in result.stderr


@pytest.mark.slow
def test_wsgi_refuses_to_start_as_a_superuser(superuser):
    password = localdb.locate().credentials()[localdb.SUPERUSER]
    result = _run(["-c", "import todo_site.wsgi"], _url(localdb.SUPERUSER, password))
    assert result.returncode != 0
    assert "todo_site.E002" in result.stderr and "superuser" in result.stderr


@pytest.mark.slow
def test_wsgi_starts_as_the_application_role(committed):
    result = _run(
        ["-c", "import todo_site.wsgi; print('started')"], _url(_db()["USER"], _db()["PASSWORD"])
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


@pytest.mark.slow
def test_runserver_refuses_to_serve_as_a_bypassrls_role(admin_url):
    result = _run(["manage.py", "runserver", "--noreload", "127.0.0.1:0"], admin_url)
    assert result.returncode != 0
    assert "SystemCheckError" in result.stderr and "todo_site.E003" in result.stderr
    assert "Starting development server" not in result.stdout


@pytest.mark.slow
def test_other_commands_still_run_with_a_bad_database_role(admin_url):
    # migrate, localdb, shell...: the start-up check is for serving only
    # (`check --database default` runs the database check on request).
    assert _run(["manage.py", "check"], admin_url).returncode == 0
    result = _run(["manage.py", "check", "--database", "default"], admin_url)
    assert result.returncode != 0 and "todo_site.E003" in result.stderr


# --- what the application role could create, own or alter (issue 9) -------------------


def _app_ids():
    return _ids(_db()["USER"], _db()["PASSWORD"])


@pytest.mark.parametrize(
    ("grant", "revoke", "expected"),
    [
        ("GRANT TEMPORARY ON DATABASE {db} TO todo_app",
         "REVOKE TEMPORARY ON DATABASE {db} FROM todo_app", "todo_site.E012"),
        ("GRANT CREATE ON SCHEMA public TO todo_app",
         "REVOKE CREATE ON SCHEMA public FROM todo_app", "todo_site.E013"),
        ("GRANT CREATE ON DATABASE {db} TO todo_app",
         "REVOKE CREATE ON DATABASE {db} FROM todo_app", "todo_site.E013"),
        ("ALTER FUNCTION app.current_email() OWNER TO todo_app",
         # Handing the function back drops the grant todo_app held as its owner.
         "ALTER FUNCTION app.current_email() OWNER TO todo_admin; "
         "GRANT EXECUTE ON FUNCTION app.current_email() TO todo_app", "todo_site.E014"),
        ("ALTER FUNCTION app.set_updated_at() RESET search_path",
         "ALTER FUNCTION app.set_updated_at() SET search_path = pg_catalog, pg_temp",
         "todo_site.E014"),
        ("ALTER ROLE todo_app IN DATABASE {db} SET search_path = public",
         "ALTER ROLE todo_app IN DATABASE {db} RESET search_path", "todo_site.E016"),
        pytest.param("ALTER ROLE todo_app SET row_security = off",
                     "ALTER ROLE todo_app RESET row_security", "todo_site.E016",
                     marks=pytest.mark.serial),
    ],
)  # fmt: skip
def test_what_would_let_the_application_role_shadow_or_rewrite_code_is_refused(
    superuser, grant, revoke, expected
):
    db = sql.Identifier(_db()["NAME"]).as_string(superuser)
    superuser.execute(grant.format(db=db))
    try:
        assert _app_ids() == [expected]
    finally:
        superuser.execute(revoke.format(db=db))
    assert _app_ids() == []


def test_a_secret_key_whose_identity_key_was_never_written_is_refused(committed, settings):
    # e.g. SECRET_KEY rotated on the web servers but `set_identity_keys` not run.
    settings.SECRET_KEY = "a-new-secret-key-the-database-has-never-seen-0123456789"
    errors = rls_errors(connections["default"])
    assert [e.id for e in errors] == ["todo_site.E015"]
    assert "set_identity_keys" in errors[0].hint
