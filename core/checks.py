"""The application connection really is bound by row-level security, or the site won't start.

Policies protect nothing when the web process connects as a role that skips
them: a superuser, a BYPASSRLS role, a role that can SET ROLE into one of those,
or the owner of the tables once FORCE is off. Hosted PostgreSQL consoles hand
out such roles by default (on Neon every console-created role is a member of
neon_superuser, which has BYPASSRLS). This module reads PostgreSQL's catalog
through the application connection ("default") and reports each way RLS could
be skipped, with the fix. The tables and policies it expects are the apps'
declarations (`AppConfig.rls_tables`, read by `core.rls.protected_tables()`).

- `check_row_level_security` is a database check (`manage.py check --database
  default`, and `migrate` on the default alias); Django runs those only on request.
  `runserver` asks for it (core/management/commands/runserver.py), so it refuses
  to serve (Django's SystemCheckError) when it fails.
- `refuse_to_start_without_secret_key()` and `refuse_to_start_unless_rls_holds()`
  are called by wsgi.py and asgi.py: gunicorn
  and ASGI servers fail to boot with ImproperlyConfigured.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from core.rls import ProtectedTable, protected_tables

APP_ALIAS = "default"

# Role defaults that change what the application's statements mean.
RISKY_ROLE_SETTINGS = ("search_path", "row_security", "role", "session_authorization")
PINNED_SEARCH_PATH = "search_path=pg_catalog, pg_temp"

COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}
CURRENT_USER_CALL = "app.current_user_id()"
# How pg_get_expr prints it (schema-qualified only when `app` is off the search_path).
CURRENT_USER_MATCH = "current_user_id()"

MIGRATE = "python manage.py migrate --database admin"
STOP_HERE = {f"todo_site.E00{n}" for n in (2, 3, 4, 5, 6)}
ROLES_DOC = "see docs/security.md, 'The two roles'"


def _error(number: int, msg: str, hint: str) -> Error:
    return Error(msg, hint=hint, id=f"todo_site.E{number:03d}")


def _fetchall(cursor, sql, params=()):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _role_errors(cursor) -> list[Error]:
    errors = []
    ((current, session),) = _fetchall(cursor, "SELECT current_user, session_user")
    roles = {current, session}
    rows = _fetchall(
        cursor,
        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ANY(%s)",
        [sorted(roles)],
    )
    superuser = False
    for name, is_super, bypass in rows:
        if is_super:
            superuser = True
            errors.append(
                _error(
                    2,
                    f"The application database role {name!r} is a superuser: superusers skip "
                    "every row-level security policy.",
                    "Point DATABASE_URL at an ordinary role (NOSUPERUSER NOBYPASSRLS, owning "
                    f"nothing); keep the superuser for bootstrap only ({ROLES_DOC}).",
                )
            )
        elif bypass:
            errors.append(
                _error(
                    3,
                    f"The application database role {name!r} has BYPASSRLS: it skips every "
                    "row-level security policy.",
                    f"Run ALTER ROLE {name} NOBYPASSRLS, or point DATABASE_URL at the "
                    "application role; BYPASSRLS belongs to ADMIN_DATABASE_URL only "
                    f"({ROLES_DOC}).",
                )
            )
    if superuser:
        return errors  # a superuser can become anyone; listing every role adds nothing
    reachable = _fetchall(
        cursor,
        """
        SELECT r.rolname, r.rolsuper, r.rolbypassrls FROM pg_roles r
        WHERE (r.rolsuper OR r.rolbypassrls) AND r.rolname <> ALL(%s)
          AND (pg_has_role(session_user, r.oid, 'MEMBER')
               OR pg_has_role(current_user, r.oid, 'MEMBER'))
        ORDER BY r.rolname
        """,
        [sorted(roles)],
    )
    for name, is_super, _bypass in reachable:
        what = "a superuser" if is_super else "BYPASSRLS"
        errors.append(
            _error(
                4,
                f"The application database role {session!r} is a member of {name!r}, which is "
                f"{what}: `SET ROLE {name}` would skip row-level security.",
                f"Run REVOKE {name} FROM {session}, or create the application role with SQL "
                "so it belongs to no privileged role (hosted consoles often add such "
                f"memberships, e.g. Neon's neon_superuser; {ROLES_DOC}).",
            )
        )
    return errors


def _policy_errors(protected: ProtectedTable, policies: list[tuple]) -> list[Error]:
    errors = []
    table = protected.name
    expected = {policy.name: policy.command for policy in protected.policies}
    owner_only = {policy.name for policy in protected.policies if policy.owner_column}
    found = {
        name: (COMMANDS[cmd], permissive, qual or "", check or "")
        for name, cmd, permissive, qual, check in policies
    }
    for name, command in expected.items():
        if name not in found or found[name][0] != command or not found[name][1]:
            errors.append(
                _error(
                    9,
                    f"Policy {name!r} ({command}) on table {table!r} is missing or changed.",
                    f"Re-apply the migration that creates it: run {MIGRATE} (or migrate "
                    "back before it and forward again if it was altered by hand).",
                )
            )
    for name in sorted(owner_only & set(found)):
        _, _, qual, check = found[name]
        if not (qual or check) or any(
            expr and CURRENT_USER_MATCH not in expr for expr in (qual, check)
        ):
            errors.append(
                _error(
                    9,
                    f"Policy {name!r} on table {table!r} does not limit rows to the current "
                    f"user ({CURRENT_USER_CALL}).",
                    f"Restore the policy from its migration, then run {MIGRATE}.",
                )
            )
    for name in sorted(set(found) - set(expected)):
        if found[name][1]:  # restrictive policies only narrow access
            errors.append(
                _error(
                    10,
                    f"Unexpected permissive policy {name!r} on table {table!r}: permissive "
                    "policies are OR-ed with the expected ones and widen access.",
                    f"DROP POLICY {name} ON {table}, or make it AS RESTRICTIVE if it is meant "
                    "to narrow access.",
                )
            )
    return errors


def _table_errors(cursor) -> list[Error]:
    errors = []
    roles = set(_fetchall(cursor, "SELECT current_user, session_user")[0])
    for protected in protected_tables():
        table = protected.name
        rows = _fetchall(
            cursor,
            """
            SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
                   pg_has_role(session_user, c.relowner, 'MEMBER')
                   OR pg_has_role(current_user, c.relowner, 'MEMBER')
            FROM pg_class c WHERE c.oid = to_regclass(%s)
            """,
            [table],
        )
        if not rows:
            errors.append(
                _error(
                    6,
                    f"Table {table!r} does not exist in the application database: the "
                    "database is not migrated.",
                    f"Run {MIGRATE} (as the administrative role), then start the site again.",
                )
            )
            continue
        ((enabled, forced, owner, owned),) = rows
        if owned:
            who = "owns" if owner in roles else f"is a member of {owner!r}, the owner of"
            errors.append(
                _error(
                    5,
                    f"The application database role {who} table {table!r}: an owner may "
                    "switch row-level security off (and skips it without FORCE).",
                    f"Make the administrative role own the tables (ALTER TABLE {table} OWNER "
                    "TO <administrative role>) and keep the application role out of it: "
                    f"REVOKE {owner} FROM <application role> ({ROLES_DOC}).",
                )
            )
        if not enabled:
            errors.append(
                _error(
                    7,
                    f"Row-level security is off on table {table!r}.",
                    f"Run ALTER TABLE {table} ENABLE ROW LEVEL SECURITY as the administrative "
                    f"role, or re-apply the migrations: {MIGRATE}.",
                )
            )
        if not forced:
            errors.append(
                _error(
                    8,
                    f"Row-level security is not FORCEd on table {table!r}: its owner skips it.",
                    f"Run ALTER TABLE {table} FORCE ROW LEVEL SECURITY as the administrative "
                    f"role, or re-apply the migrations: {MIGRATE}.",
                )
            )
        policies = _fetchall(
            cursor,
            """
            SELECT polname, polcmd, polpermissive, pg_get_expr(polqual, polrelid),
                   pg_get_expr(polwithcheck, polrelid)
            FROM pg_policy WHERE polrelid = to_regclass(%s) ORDER BY polname
            """,
            [table],
        )
        errors.extend(_policy_errors(protected, policies))
    return errors


def _session_errors(cursor) -> list[Error]:
    ((value,),) = _fetchall(cursor, "SELECT current_setting('app.identity', true)")
    if value:
        return [
            _error(
                11,
                "The application connection starts with app.identity set: every query "
                "without a request context would act for whoever it names.",
                "Remove app.identity from the connection options (DATABASE_URL ?options=); "
                "it is set per transaction only.",
            )
        ]
    return []


def _privilege_errors(cursor) -> list[Error]:
    """What the application role could create, own or alter (issue 9's attacks 1 and 4)."""
    errors = []
    ((temporary, create),) = _fetchall(
        cursor,
        "SELECT has_database_privilege(current_database(), 'TEMPORARY'), "
        "has_database_privilege(current_database(), 'CREATE')",
    )
    if temporary:
        errors.append(
            _error(
                12,
                "The application database role can create temporary tables, views and "
                "functions: a temporary table named like a real one captures the next "
                "statements on that connection.",
                "As the database owner: REVOKE TEMPORARY ON DATABASE <name> FROM PUBLIC, "
                "<application role> (core/migrations/0003 does it when it can).",
            )
        )
    schemas = [
        name
        for (name,) in _fetchall(
            cursor,
            "SELECT nspname FROM pg_namespace WHERE has_schema_privilege(oid, 'CREATE') "
            "AND nspname !~ '^pg_(toast_)?temp_' "
            "ORDER BY 1",
        )
    ]
    if create or schemas:
        where = ", ".join(([] if not create else ["the database (new schemas)"]) + schemas)
        errors.append(
            _error(
                13,
                f"The application database role can create objects in {where}: objects it "
                "creates can shadow the site's tables and functions.",
                "As the owner: REVOKE CREATE ON SCHEMA <schema> FROM PUBLIC, <application "
                "role> (and REVOKE CREATE ON DATABASE).",
            )
        )
    for name, owned, config in _fetchall(
        cursor,
        """
        SELECT p.oid::regprocedure::text,
               pg_has_role(current_user, p.proowner, 'MEMBER')
               OR pg_has_role(session_user, p.proowner, 'MEMBER'),
               coalesce(p.proconfig, '{}')
        FROM pg_proc p WHERE p.pronamespace = to_regnamespace('app') ORDER BY 1
        """,
    ):
        if owned:
            errors.append(
                _error(
                    14,
                    f"The application database role owns (or can act as the owner of) "
                    f"{name}, which the policies or triggers run: it could rewrite it.",
                    f"ALTER FUNCTION {name} OWNER TO <administrative role>, and keep the "
                    f"application role out of that role ({ROLES_DOC}).",
                )
            )
        elif PINNED_SEARCH_PATH not in config:
            errors.append(
                _error(
                    14,
                    f"Function {name} runs without `SET {PINNED_SEARCH_PATH.replace('=', ' = ')}`"
                    ": objects earlier on the caller's search_path would be used instead of "
                    "PostgreSQL's own.",
                    f"Re-apply the migrations ({MIGRATE}); new functions in schema app must "
                    "pin their search_path.",
                )
            )
    for (setting,) in _fetchall(
        cursor,
        """
        SELECT DISTINCT split_part(c, '=', 1) FROM pg_db_role_setting s, unnest(s.setconfig) c
        WHERE s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))
          AND s.setdatabase IN (0, (SELECT oid FROM pg_database
                                    WHERE datname = current_database()))
          AND split_part(c, '=', 1) = ANY(%s)
        ORDER BY 1
        """,
        [list(RISKY_ROLE_SETTINGS)],
    ):
        errors.append(
            _error(
                16,
                f"A default of the application role or database sets {setting}: a role may "
                "change its own defaults, so this may be the trace of an attacker, and it "
                "changes what the site's statements do.",
                f"ALTER ROLE <application role> RESET {setting} (and ALTER DATABASE ... "
                f"RESET {setting}), then find out who set it.",
            )
        )
    return errors


def _identity_errors(connection) -> list[Error]:
    """The database accepts this application's identity tokens (the key was written)."""
    from core.identity import USER, make_token

    probe = "00000000-0000-0000-0000-000000000000"
    connection.ensure_connection()  # the check may run on a connection of its own
    with connection.connection.transaction(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.identity', %s, true)", [make_token(USER, probe)])
        cursor.execute("SELECT app.current_user_id()")
        accepted = str(cursor.fetchone()[0]) == probe
        cursor.execute("SELECT set_config('app.identity', '', true)")
    if accepted:
        return []
    return [
        _error(
            15,
            "PostgreSQL does not accept this application's identity tokens: the key derived "
            "from SECRET_KEY is not in app.identity_keys, so every request would see no rows.",
            "Write the keys as the administrative role: python manage.py set_identity_keys "
            f"(or {MIGRATE}), with the same SECRET_KEY as the site.",
        )
    ]


def rls_errors(connection) -> list[Error]:
    """Every reason the given connection could see other users' rows. Read-only queries."""
    try:
        with connection.cursor() as cursor:
            errors = _role_errors(cursor) + _table_errors(cursor) + _session_errors(cursor)
            if any(e.id in STOP_HERE for e in errors):
                # A wrong role or an unmigrated database: the rest is beside the point.
                return errors
            errors += _privilege_errors(cursor)
        return errors + _identity_errors(connection)
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [
            _error(
                1,
                f"Cannot check row-level security on the application database: {reason}",
                "Check DATABASE_URL and that PostgreSQL is reachable; the site does not start "
                "until the check can run.",
            )
        ]


@register("rls", Tags.database)
def check_row_level_security(app_configs=None, databases=None, **kwargs):
    """Database check on the application alias (`manage.py check --database default`)."""
    if not databases or APP_ALIAS not in databases:
        return []
    return rls_errors(connections[APP_ALIAS])


def refuse_to_start_without_secret_key() -> None:
    """Raise ImproperlyConfigured when no SECRET_KEY is set (settings give none without DEBUG)."""
    settings.DEBUG  # noqa: B018 (loads the settings: their own errors surface unchanged)
    try:
        settings.SECRET_KEY  # noqa: B018 (Django raises on an empty key)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "todo_site refuses to start: SECRET_KEY is required when DEBUG is off"
        ) from None


def refuse_to_start_unless_rls_holds() -> None:
    """Raise ImproperlyConfigured, listing each problem and its fix, unless RLS holds."""
    connection = connections[APP_ALIAS]
    try:
        errors = rls_errors(connection)
    finally:
        # Never hand a connection opened at start-up to forked workers.
        connection.close()
    if errors:
        lines = [
            "todo_site refuses to start: the application database connection "
            "(DATABASE_URL) is not bound by row-level security."
        ]
        for error in errors:
            lines += [f"{error.id}: {error.msg}", f"    HINT: {error.hint}"]
        raise ImproperlyConfigured("\n".join(lines))
