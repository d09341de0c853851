"""The injected attacker: arbitrary SQL as the application role, over a real connection.

What someone gets from one injectable query, a compromised dependency or a
leaked DATABASE_URL: a psycopg connection of their own as the application role
(`todo_app`), autocommit or in a transaction, able to run any statement. Every
test plays one attack from issue 9 and asserts its exact outcome: the error
PostgreSQL raises, or the rows the attacker sees, which are at most the rows of
the user whose request the injected query runs in (`attacker.in_request_of`).
Data is committed (`committed`), so nothing hides behind a test transaction,
and what really happened is read back as the administrative role.

Every attack runs twice: straight to PostgreSQL, and through PgBouncer in
transaction mode (server connections shared between clients).
"""

import io
import time
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from django.contrib.sessions.backends.db import SessionStore as PlainSessionStore
from django.core.management import call_command
from django.db import connections, transaction
from django.test import Client

from accounts import two_factor
from accounts.tests.factories import PASSWORD, UserFactory, enable_two_factor, second_factor
from core import identity
from core.rls import set_rls_user, user_context
from core.tests.helpers import admin_sql
from core.tests.test_pgbouncer import PORT as PGBOUNCER_PORT
from core.tests.test_pgbouncer import pgbouncer  # noqa: F401 (fixture)
from tasks.tests.factories import TaskFactory

RLS_VIOLATION = "new row violates row-level security policy"


class Attacker:
    """A connection of the application role that runs whatever it is given."""

    def __init__(self, **params):
        self.params = params
        self.conn = self.connect()

    def connect(self):
        return psycopg.connect(**self.params, autocommit=True, prepare_threshold=None)

    def run(self, statement, params=None):
        """Rows (or the row count) of one statement."""
        with self.conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount

    def refused(self, statement, params=None) -> str:
        """The first line of the error PostgreSQL raises; fails the test if it runs."""
        try:
            self.run(statement, params)
        except psycopg.Error as exc:
            return str(exc).splitlines()[0]
        raise AssertionError(f"the attack ran: {statement}")

    @contextmanager
    def transaction(self):
        with self.conn.transaction():
            yield

    @contextmanager
    def in_request_of(self, user):
        """A transaction holding `user`'s valid identity, as the site sets it for their request."""
        with self.conn.transaction():
            self.run(
                "SELECT set_config('app.identity', %s, true)",
                [identity.make_token(identity.USER, str(user.pk))],
            )
            yield


def _db_name():
    return connections["default"].settings_dict["NAME"]


@pytest.fixture(params=["direct", pytest.param("pgbouncer", marks=pytest.mark.pgbouncer)])
def attacker(request, committed):
    db = connections["default"].settings_dict
    params = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    if request.param == "pgbouncer":
        params.update(host=str(request.getfixturevalue("pgbouncer")), port=PGBOUNCER_PORT)
    attacker = Attacker(**params)
    assert attacker.run("SELECT current_user") == [("todo_app",)]
    yield attacker
    attacker.conn.close()


@pytest.fixture
def people(committed):
    """alice (A1, A2) and bob (B1), committed."""
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    for title in ("A1", "A2"):
        TaskFactory(user=alice, title=title)
    TaskFactory(user=bob, title="B1")
    return alice, bob


def _seen(attacker):
    """(task titles, user e-mails) visible to the attacker's current transaction."""
    titles = [r[0] for r in attacker.run("SELECT title FROM tasks ORDER BY title")]
    emails = [r[0] for r in attacker.run("SELECT email FROM users ORDER BY email")]
    return titles, emails


# --- 2. impersonation ---------------------------------------------------------------


def test_without_an_identity_the_attacker_sees_no_row_of_anyone(attacker, people):
    assert _seen(attacker) == ([], [])
    assert attacker.run("SELECT count(*) FROM tasks_archive") == [(0,)]
    assert attacker.run("SELECT count(*) FROM django_admin_log") == [(0,)]
    assert admin_sql("SELECT count(*) FROM tasks") == [(3,)]  # not vacuous


def test_injected_into_alices_request_it_sees_only_alices_rows(attacker, people):
    with attacker.in_request_of(people[0]):
        assert _seen(attacker) == (["A1", "A2"], ["alice@example.com"])
        assert attacker.run("SELECT count(*) FROM users WHERE password <> ''") == [(1,)]


def test_setting_app_user_id_to_another_user_gets_nothing(attacker, people):
    alice, bob = people
    with attacker.transaction():
        attacker.run("SELECT set_config('app.user_id', %s, true)", [str(bob.pk)])
        assert _seen(attacker) == ([], [])
    # One injected SELECT inside alice's request: still alice, never bob.
    with attacker.in_request_of(alice):
        attacker.run("SELECT set_config('app.user_id', %s, true)", [str(bob.pk)])
        assert _seen(attacker) == (["A1", "A2"], ["alice@example.com"])


def _forgeries(alice, bob):
    valid = identity.make_token(identity.USER, str(alice.pk))
    key_id, expiry, kind, mac, _ = valid.split(".", 4)
    return {
        "bare id": str(bob.pk),
        "alice's mac on bob's id": f"{key_id}.{expiry}.{kind}.{mac}.{bob.pk}",
        "made-up mac": f"{key_id}.{expiry}.u.{'0' * 64}.{bob.pk}",
        "later expiry": f"{key_id}.{int(expiry) + 3600}.{kind}.{mac}.{alice.pk}",
        "email claim as a user claim": f"{key_id}.{expiry}.u.{mac}.{bob.email}",
        "another key": identity.make_token(identity.USER, str(bob.pk), secret="guessed-key"),
        "expired": identity.make_token(
            identity.USER, str(bob.pk), now=time.time() - identity.TOKEN_TTL_SECONDS - 1
        ),
    }


@pytest.mark.parametrize(
    "forgery",
    [
        "bare id",
        "alice's mac on bob's id",
        "made-up mac",
        "later expiry",
        "email claim as a user claim",
        "another key",
        "expired",
    ],
)
def test_a_forged_or_expired_token_gets_nothing(attacker, people, forgery):
    token = _forgeries(*people)[forgery]
    with attacker.transaction():
        attacker.run("SELECT set_config('app.identity', %s, true)", [token])
        assert attacker.run("SELECT app.current_user_id(), app.current_email()") == [(None, None)]
        assert _seen(attacker) == ([], [])
        assert attacker.run("UPDATE tasks SET title = 'stolen'") == 0
        assert attacker.run("DELETE FROM users") == 0


@pytest.mark.slow  # waits two seconds for the expiry
def test_a_token_copied_from_another_transaction_is_useless_once_expired(attacker, people):
    _, bob = people
    # A token with one second left, as if copied near the end of its life.
    token = identity.make_token(
        identity.USER, str(bob.pk), now=time.time() + 1 - identity.TOKEN_TTL_SECONDS
    )
    with attacker.transaction():
        attacker.run("SELECT set_config('app.identity', %s, true)", [token])
        assert _seen(attacker) == (["B1"], ["bob@example.com"])  # genuine while it lasts
    assert _seen(attacker) == ([], [])  # the setting ended with its transaction
    time.sleep(2)  # the database's own clock must pass the expiry; nothing else can
    with attacker.transaction():
        attacker.run("SELECT set_config('app.identity', %s, true)", [token])
        assert _seen(attacker) == ([], [])


def test_the_key_and_the_verifier_are_out_of_reach(attacker, people):
    assert attacker.refused("SELECT * FROM app.identity_keys") == (
        "permission denied for table identity_keys"
    )
    assert attacker.refused(
        "INSERT INTO app.identity_keys (key_id, inner_pad, outer_pad) "
        "VALUES ('0000000000000000', '', '')"
    ) == ("permission denied for table identity_keys")
    assert attacker.refused("SELECT app.token_claim('u')") == (
        "permission denied for function token_claim"
    )
    assert attacker.refused(
        "CREATE OR REPLACE FUNCTION app.current_user_id() RETURNS uuid "
        "LANGUAGE sql AS $$ SELECT NULL::uuid $$"
    ) == ("permission denied for schema app")
    assert attacker.refused("ALTER FUNCTION app.current_user_id() SECURITY INVOKER") == (
        "must be owner of function app.current_user_id"
    )
    assert attacker.refused("ALTER TABLE tasks DISABLE ROW LEVEL SECURITY") == (
        "must be owner of table tasks"
    )
    assert attacker.refused("DROP POLICY tasks_owner_only ON tasks") == (
        "must be owner of relation tasks"
    )


def test_the_token_never_appears_in_pg_stat_activity(attacker, people):
    # Every session of the application role can read the others' last statement:
    # the token travels as a bound parameter, never in the statement text.
    alice, _ = people
    with transaction.atomic():
        set_rls_user(alice.pk)
        pid = connections["default"].connection.info.backend_pid  # no query
        rows = attacker.run("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
    assert rows == [("SELECT set_config($1, $2, true)",)]


# --- 1. becoming superuser, 4. shadowing ----------------------------------------------


def test_a_temporary_pg_roles_cannot_make_the_attacker_staff(attacker, people):
    alice, _ = people
    assert (
        attacker.refused(
            "CREATE TEMP VIEW pg_roles AS SELECT 'todo_app'::name AS rolname, "
            "true AS rolsuper, true AS rolbypassrls"
        )
        == f'permission denied to create temporary tables in database "{_db_name()}"'
    )
    with attacker.in_request_of(alice):
        assert attacker.refused(
            "UPDATE users SET is_staff = true, is_superuser = true WHERE id = %s", [alice.pk]
        ) == ("only the administrative role may grant or remove staff or superuser status")
    assert admin_sql("SELECT is_staff, is_superuser FROM users WHERE id = %s", [alice.pk]) == [
        (False, False)
    ]


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("CREATE TEMP TABLE tasks (id uuid, user_id uuid, title text)", "temporary tables"),
        ("CREATE TEMP VIEW users AS SELECT 1", "temporary tables"),
        (
            "CREATE FUNCTION pg_temp.current_setting(text, boolean) RETURNS text "
            "LANGUAGE sql AS $$ SELECT 'x' $$",
            "temporary tables",
        ),
        ("CREATE TABLE public.tasks_copy (id int)", "permission denied for schema public"),
        (
            "CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT 'epoch' $$",
            "permission denied for schema public",
        ),
        ("CREATE TABLE app.tasks (id int)", "permission denied for schema app"),
        ("CREATE SCHEMA shadow", "permission denied for database {db}"),
    ],
)
def test_the_attacker_can_create_nothing_that_would_shadow_a_table_or_function(
    attacker, statement, error
):
    message = attacker.refused(statement)
    if error == "temporary tables":
        error = 'permission denied to create temporary tables in database "{db}"'
    assert message == error.format(db=_db_name())


def test_every_function_the_policies_and_triggers_run_is_pinned_and_not_ours(attacker):
    rows = attacker.run(
        "SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner), p.proconfig, "
        "has_function_privilege(p.oid, 'EXECUTE') "
        "FROM pg_proc p WHERE p.pronamespace = 'app'::regnamespace ORDER BY 1"
    )
    path = ["search_path=pg_catalog, pg_temp"]
    assert rows == [
        ("app.current_email()", "todo_admin", path, True),
        ("app.current_user_id()", "todo_admin", path, True),
        ("app.guard_user_privileges()", "todo_admin", path, False),
        ("app.set_updated_at()", "todo_admin", path, False),
        ("app.task_counts_apply()", "todo_admin", path, False),
        ("app.task_counts_forget()", "todo_admin", path, False),
        ("app.task_counts_rebuild()", "todo_admin", path, False),
        ("app.task_counts_rebuild_at_commit()", "todo_admin", path, False),
        ("app.task_ids_in_use(uuid[])", "todo_admin", path, True),
        ("app.token_claim(text)", "todo_admin", path, False),
    ]


# --- roles and settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("SET ROLE todo_admin", 'permission denied to set role "todo_admin"'),
        (
            "SET SESSION AUTHORIZATION todo_admin",
            'permission denied to set session authorization "todo_admin"',
        ),
        ("ALTER ROLE todo_app BYPASSRLS", "must be superuser to change bypassrls attribute"),
        (
            "ALTER ROLE todo_app SUPERUSER",
            "must be superuser to alter superuser roles or change superuser attribute",
        ),
        (
            "ALTER ROLE todo_app SET app.identity = 'forged'",
            'permission denied to set parameter "app.identity"',
        ),
        ("GRANT todo_admin TO todo_app", 'must have admin option on role "todo_admin"'),
    ],
)
def test_the_attacker_cannot_become_another_role(attacker, statement, error):
    assert attacker.refused(statement) == error


@pytest.mark.serial  # the role's default is the cluster's: every other test's connections see it
def test_row_security_off_as_a_role_default_fails_closed(attacker, people):
    # An ordinary role may change its own defaults: this one may only break
    # queries, never show rows (and the start-up check reports it, E016).
    alice, _ = people
    attacker.run("ALTER ROLE todo_app SET row_security = off")
    try:
        later = attacker.connect()
        with later.transaction():
            later.execute(
                "SELECT set_config('app.identity', %s, true)",
                [identity.make_token(identity.USER, str(alice.pk))],
            )
            if attacker.params["port"] == PGBOUNCER_PORT:
                # PgBouncer hands out a server session opened before the change.
                assert later.execute("SELECT title FROM tasks ORDER BY 1").fetchall() == [
                    ("A1",),
                    ("A2",),
                ]
            else:
                with pytest.raises(
                    psycopg.errors.InsufficientPrivilege, match="row-level security"
                ):
                    later.execute("SELECT count(*) FROM tasks")
        later.close()
    finally:
        attacker.run("ALTER ROLE todo_app RESET row_security")


# --- files, large objects, extensions, COPY ------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("SELECT lo_import('/etc/passwd')", "permission denied for function lo_import"),
        ("SELECT lo_export(1, '/tmp/tasks')", "permission denied for function lo_export"),
        ("SELECT pg_read_file('/etc/passwd')", "permission denied for function pg_read_file"),
        (
            "COPY tasks TO '/tmp/tasks.csv'",
            "must be superuser or have privileges of the pg_write_server_files role "
            "to COPY to a file",
        ),
        (
            "COPY tasks FROM PROGRAM 'id'",
            "must be superuser or have privileges of the pg_execute_server_program role "
            "to COPY to or from an external program",
        ),
        ("CREATE EXTENSION dblink", 'permission denied to create extension "dblink"'),
        ("CREATE EXTENSION postgres_fdw", 'permission denied to create extension "postgres_fdw"'),
    ],
)
def test_no_file_program_or_remote_connection_is_reachable(attacker, statement, error):
    assert attacker.refused(statement) == error


def test_copy_shows_only_the_current_users_rows_and_cannot_load_any(attacker, people):
    alice, _ = people
    with attacker.in_request_of(alice), attacker.conn.cursor() as cursor:
        with cursor.copy("COPY (SELECT title FROM tasks ORDER BY title) TO STDOUT") as copy:
            assert b"".join(bytes(chunk) for chunk in copy) == b"A1\nA2\n"
        with cursor.copy("COPY tasks TO STDOUT") as copy:
            assert b"B1" not in b"".join(bytes(chunk) for chunk in copy)
    with (
        pytest.raises(psycopg.errors.FeatureNotSupported, match="COPY FROM not supported"),
        attacker.in_request_of(alice),
        attacker.conn.cursor() as cursor,
        cursor.copy("COPY tasks (user_id, title) FROM STDIN") as copy,
    ):
        copy.write_row([str(alice.pk), "loaded"])


@pytest.mark.slow
def test_a_large_object_of_the_attacker_does_not_break_the_backup(attacker, people, tmp_path):
    # Every role may create large objects (only a superuser could revoke
    # lo_create); one the administrative role cannot read used to fail pg_dump.
    ((oid,),) = attacker.run("SELECT lo_create(0)")
    try:
        call_command("backup", "--output", str(tmp_path / "todo.dump"), stdout=io.StringIO())
    finally:
        attacker.run("SELECT lo_unlink(%s)", [oid])
    assert (tmp_path / "todo.dump").stat().st_size > 0


# --- the task counts the database keeps (tasks/migrations/0016) ---------------------------


def _stored_counts():
    return admin_sql(
        "SELECT user_id, sum(total), sum(completed) FROM task_counts GROUP BY 1 ORDER BY 2"
    )


def test_only_the_requests_own_counts_are_readable(attacker, people):
    alice, bob = people
    assert _stored_counts() == [(bob.pk, 1, 0), (alice.pk, 2, 0)]  # not vacuous
    assert attacker.run("SELECT count(*) FROM task_counts") == [(0,)]
    with attacker.in_request_of(alice):
        assert attacker.run(
            "SELECT user_id, sum(total), sum(completed) FROM task_counts GROUP BY 1"
        ) == [(alice.pk, 2, 0)]
        assert attacker.run("SELECT count(*) FROM task_counts WHERE user_id = %s", [bob.pk]) == [
            (0,)
        ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE task_counts SET total = 1000",
        "DELETE FROM task_counts",
        "INSERT INTO task_counts (user_id, total, completed) VALUES (%(alice)s, 1000, 0)",
        "INSERT INTO task_counts (user_id, total, completed) VALUES (%(bob)s, 1000, 0)",
        "TRUNCATE task_counts",
    ],
)
def test_no_ones_counts_can_be_written_not_even_ones_own(attacker, people, statement):
    # Only the triggers of tasks write them, as their owner: the counts cannot be
    # made to lie, to the user or to anyone else.
    alice, bob = people
    before = _stored_counts()
    with attacker.in_request_of(alice):
        message = attacker.refused(statement, {"alice": alice.pk, "bob": bob.pk})
    assert message == "permission denied for table task_counts"
    assert _stored_counts() == before


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("SELECT app.task_counts_rebuild()", "permission denied for function task_counts_rebuild"),
        (
            "INSERT INTO app.task_counts_truncated VALUES (true)",
            "permission denied for table task_counts_truncated",
        ),
        ("SELECT count(*) FROM app.task_counts_truncated",
         "permission denied for table task_counts_truncated"),
    ],
)  # fmt: skip
def test_the_counts_machinery_is_out_of_reach(attacker, people, statement, error):
    with attacker.in_request_of(people[0]):
        assert attacker.refused(statement) == error


def test_the_attackers_own_writes_are_counted_and_nothing_else(attacker, people):
    alice, bob = people
    with attacker.in_request_of(alice):
        attacker.run("INSERT INTO tasks (user_id, title) VALUES (%s, 'A3')", [alice.pk])
        attacker.run("UPDATE tasks SET completed = true")
    assert _stored_counts() == [(bob.pk, 1, 0), (alice.pk, 3, 3)]


# --- 5. excess privilege ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())", "django_migrations"),  # noqa: E501
        ("DELETE FROM django_migrations", "django_migrations"),
        ("UPDATE django_migrations SET name = name", "django_migrations"),
        ("INSERT INTO auth_group (name) VALUES ('admins')", "auth_group"),
        ("INSERT INTO auth_permission (name, content_type_id, codename) VALUES ('x', 1, 'x')", "auth_permission"),  # noqa: E501
        ("INSERT INTO users_user_permissions (user_id, permission_id) SELECT id, 1 FROM users", "users_user_permissions"),  # noqa: E501
        ("INSERT INTO users_groups (user_id, group_id) SELECT id, 1 FROM users", "users_groups"),
        ("UPDATE throttle_events SET created_at = created_at - interval '1 day'", "throttle_events"),  # noqa: E501
        ("UPDATE django_content_type SET model = model", "django_content_type"),
        ("TRUNCATE tasks", "tasks"),
        ("TRUNCATE users CASCADE", "users"),
        ("UPDATE tasks_archive SET title = 'x'", "tasks_archive"),
        ("UPDATE tasks_trash SET title = 'x'", "tasks_trash"),
    ],
)  # fmt: skip
def test_tables_outside_the_allowlist_refuse_the_write(attacker, people, statement, table):
    with attacker.in_request_of(people[0]):
        assert attacker.refused(statement) == f"permission denied for table {table}"


def test_user_rows_cannot_be_planted(attacker, people):
    alice, _ = people
    insert = "INSERT INTO users (id, email, password) VALUES (%s, 'mallory@example.com', '')"
    assert attacker.refused(insert, [uuid.uuid4()]).startswith(RLS_VIOLATION)
    with attacker.in_request_of(alice):
        assert attacker.refused(insert, [uuid.uuid4()]).startswith(RLS_VIOLATION)
    assert admin_sql("SELECT count(*) FROM users") == [(2,)]


# --- 3. session theft -----------------------------------------------------------------------


def test_a_session_row_is_useless_without_the_cookie(attacker, people):
    alice, _ = people
    victim = Client()
    assert (
        victim.post("/accounts/login/", {"username": alice.email, "password": PASSWORD}).status_code
        == 302
    )
    cookie = victim.cookies["sessionid"].value
    rows = attacker.run("SELECT session_key FROM django_session")
    assert rows and cookie not in {key for (key,) in rows}
    for (key,) in rows:
        thief = Client()
        thief.cookies["sessionid"] = key
        response = thief.get("/tasks/")
        assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/")
    assert victim.get("/tasks/").status_code == 200  # the real cookie still works


def test_a_planted_session_row_signs_nobody_in(attacker, people):
    alice, _ = people
    # What Django's plain store would accept: a row keyed by the cookie value,
    # with the auth hash left out (the attacker cannot compute it).
    forged = PlainSessionStore().encode(
        {
            "_auth_user_id": str(alice.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        }
    )
    key = "k" * 32
    attacker.run(
        "INSERT INTO django_session (session_key, session_data, expire_date) "
        "VALUES (%s, %s, now() + interval '1 day')",
        [key, forged],
    )
    thief = Client()
    thief.cookies["sessionid"] = key
    response = thief.get("/tasks/")
    assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/")


# --- two-factor secrets ---------------------------------------------------------------------
# A TOTP key or a recovery code of someone else, with their password, is their account.


@pytest.fixture
def second_factors(people):
    """Both have an authenticator app and 10 recovery codes: {email: (TOTP key, static device id,
    recovery codes as stored)}, read back as the administrative role."""
    for user in people:
        enable_two_factor(user)
        with user_context(user.pk):
            two_factor.new_recovery_codes(user)
    stored = {}
    for user in people:
        ((key,),) = admin_sql("SELECT key FROM otp_totp_totpdevice WHERE user_id = %s", [user.pk])
        ((device,),) = admin_sql(
            "SELECT id FROM otp_static_staticdevice WHERE user_id = %s", [user.pk]
        )
        tokens = admin_sql(
            "SELECT token FROM otp_static_statictoken WHERE device_id = %s", [device]
        )
        stored[user.email] = (key, device, {token for (token,) in tokens})
    return stored


SECOND_FACTOR_READS = [
    "SELECT key FROM otp_totp_totpdevice",
    "SELECT user_id FROM otp_static_staticdevice",
    "SELECT token FROM otp_static_statictoken",
]


def test_without_an_identity_no_second_factor_is_readable(attacker, second_factors):
    for statement in SECOND_FACTOR_READS:
        assert attacker.run(statement) == []
    # Nor with the claim a sign-in carries before the password is checked (bob's address).
    with attacker.transaction():
        token = identity.make_token(identity.EMAIL, "bob@example.com")
        attacker.run("SELECT set_config('app.identity', %s, true)", [token])
        assert attacker.run("SELECT count(*) FROM users") == [(1,)]  # the claim works
        for statement in SECOND_FACTOR_READS:
            assert attacker.run(statement) == []
    assert admin_sql("SELECT count(*) FROM otp_static_statictoken") == [(20,)]  # not vacuous


def test_in_alices_request_only_alices_second_factor_is_readable(attacker, people, second_factors):
    alice, bob = people
    alice_key, _, alice_tokens = second_factors[alice.email]
    bob_key, bob_device, bob_tokens = second_factors[bob.email]
    with attacker.in_request_of(alice):
        assert attacker.run("SELECT key FROM otp_totp_totpdevice") == [(alice_key,)]
        assert attacker.run("SELECT user_id FROM otp_static_staticdevice") == [(alice.pk,)]
        tokens = {token for (token,) in attacker.run("SELECT token FROM otp_static_statictoken")}
        assert tokens == alice_tokens
        # Asking for bob's rows by their known ids changes nothing.
        assert (
            attacker.run("SELECT key FROM otp_totp_totpdevice WHERE user_id = %s", [bob.pk]) == []
        )
        assert (
            attacker.run(
                "SELECT token FROM otp_static_statictoken WHERE device_id = %s", [bob_device]
            )
            == []
        )
    assert alice_key != bob_key and not alice_tokens & bob_tokens


def test_through_the_site_alices_identity_finds_no_device_of_bob(people, second_factors):
    alice, bob = people
    with user_context(alice.pk):
        assert not two_factor.is_enabled(bob)
        assert two_factor.recovery_codes_left(bob) == 0
        assert two_factor.verify_code(bob, next(iter(second_factors[bob.email][2]))) is None
    assert second_factor(bob) == (True, 10)  # bob's code was not used up


def _second_factor_rows():
    """Every row of the two-factor tables, as the administrative role sees them."""
    return [
        admin_sql(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 (constant names)
        for table in ("otp_totp_totpdevice", "otp_static_staticdevice", "otp_static_statictoken")
    ]


@pytest.mark.parametrize(
    ("statement", "outcome"),
    [
        # Replace bob's secret with a known one, or remove his second factor: no row matches.
        ("UPDATE otp_totp_totpdevice SET key = %(key)s WHERE user_id = %(bob)s", 0),
        ("DELETE FROM otp_totp_totpdevice WHERE user_id = %(bob)s", 0),
        ("DELETE FROM otp_static_staticdevice WHERE user_id = %(bob)s", 0),
        ("DELETE FROM otp_static_statictoken WHERE device_id = %(bob_device)s", 0),
        # Take bob's devices over: invisible, so nothing moves.
        ("UPDATE otp_static_staticdevice SET user_id = %(alice)s WHERE user_id = %(bob)s", 0),
        # Plant a device or a recovery code for bob: refused.
        ("INSERT INTO otp_totp_totpdevice (user_id, name, confirmed, key, step, t0, digits, "
         "tolerance, drift, last_t, throttling_failure_count) "
         "VALUES (%(bob)s, 'x', true, %(key)s, 30, 0, 6, 1, 0, -1, 0)", RLS_VIOLATION),
        ("INSERT INTO otp_static_statictoken (device_id, token) "
         "VALUES (%(bob_device)s, 'planted1')", RLS_VIOLATION),
        # Hand alice's own device (whose key the attacker can read) to bob: refused.
        ("UPDATE otp_totp_totpdevice SET user_id = %(bob)s WHERE user_id = %(alice)s",
         RLS_VIOLATION),
        ("UPDATE otp_static_statictoken SET device_id = %(bob_device)s",
         "permission denied for table otp_static_statictoken"),
    ],
)  # fmt: skip
def test_no_one_elses_second_factor_can_be_written(
    attacker, people, second_factors, statement, outcome
):
    alice, bob = people
    before = _second_factor_rows()
    params = {
        "alice": alice.pk,
        "bob": bob.pk,
        "bob_device": second_factors[bob.email][1],
        "key": "00" * 20,
    }
    with attacker.in_request_of(alice):
        if isinstance(outcome, int):
            assert attacker.run(statement, params) == outcome
        else:
            assert attacker.refused(statement, params).startswith(outcome)
    # Without an identity the attacker does no better: no row, or refused.
    try:
        assert attacker.run(statement, params) == 0
    except psycopg.Error as exc:
        assert str(exc).startswith((RLS_VIOLATION, "permission denied"))
    assert _second_factor_rows() == before
    assert second_factor(alice) == second_factor(bob) == (True, 10)
