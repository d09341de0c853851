"""What the application role may touch: one explicit allowlist, applied after every migrate.

Everything not listed here is closed to the application role, including any
table a later migration creates, until someone adds it with a reason. The
post_migrate step (`apply_app_role_privileges`, run as the administrative role)
revokes every table, sequence and function privilege of the application role
in the project's schemas and grants exactly these; core/tests/test_attacks.py
compares the live catalog (information_schema.role_table_grants, pg_proc ACLs)
with this allowlist.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from psycopg import sql

SCHEMAS = ["public", "app"]

# table -> privileges, each with the code that needs it.
APP_ROLE_TABLES = {
    # The spec's tables; row-level security confines every statement.
    "tasks": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "users": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    # Rows move between tasks, the archive (clear completed, restore, delete
    # forever) and the trash (delete, undo) as DELETE ... RETURNING + INSERT.
    "tasks_archive": {"SELECT", "INSERT", "DELETE"},
    "tasks_trash": {"SELECT", "INSERT", "DELETE"},
    # One-time tokens of the create forms (tasks/services.py submit_token_spend):
    # spent with INSERT ... ON CONFLICT, a repeat read back, old ones forgotten.
    "submit_tokens": {"SELECT", "INSERT", "DELETE"},
    # The list's tab counts (tasks/models.py TaskCounts): read only; the
    # triggers of tasks/migrations/0016 write them as their owner.
    "task_counts": {"SELECT"},
    # Sessions (core/sessions.py: keyed hashes, no usable key) and throttling.
    "django_session": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "throttle_events": {"SELECT", "INSERT", "DELETE"},
    # The admin's action log (own entries only, by RLS); deleting an account
    # deletes its entries.
    "django_admin_log": {"SELECT", "INSERT", "DELETE"},
    # Permission checks for staff, and deleting an account's memberships.
    "users_groups": {"SELECT", "DELETE"},
    "users_user_permissions": {"SELECT", "DELETE"},
    "auth_group": {"SELECT"},
    "auth_group_permissions": {"SELECT"},
    "auth_permission": {"SELECT"},
    "django_content_type": {"SELECT"},
    # Two-factor sign-in (accounts/two_factor.py): the devices of the user signing
    # in or managing them (row-level security: their own only, accounts/migrations/0005);
    # a used recovery code is deleted.
    "otp_totp_totpdevice": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "otp_static_staticdevice": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "otp_static_statictoken": {"SELECT", "INSERT", "DELETE"},
    # /readyz compares the applied migrations with the code.
    "django_migrations": {"SELECT"},
}

# Functions the application role calls: the claims the policies read, and the
# import's "which of these ids are taken" (tasks/migrations/0008).
APP_ROLE_FUNCTIONS = {"app.current_user_id()", "app.current_email()", "app.task_ids_in_use(uuid[])"}


def app_role() -> str:
    return settings.DATABASE_APP_ROLE


def apply_app_role_privileges(connection) -> bool:
    """Revoke everything from the application role, then grant the allowlist.

    False (nothing done) when the application role is the connection's own role
    or does not exist. One transaction.
    """
    role = app_role()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user <> %s AND EXISTS (SELECT FROM pg_roles WHERE rolname = %s)",
            [role, role],
        )
        if not cursor.fetchone()[0]:
            return False
        grantee = sql.Identifier(role)
        schemas = sql.SQL(", ").join(map(sql.Identifier, SCHEMAS))
        statements = [
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schemas, grantee),
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(schemas, grantee),
            sql.SQL("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {} FROM {}").format(schemas, grantee),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schemas, grantee),
        ]
        for table, privileges in sorted(APP_ROLE_TABLES.items()):
            statements.append(
                sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                    sql.SQL(", ").join(map(sql.SQL, sorted(privileges))),
                    sql.Identifier(table),
                    grantee,
                )
            )
        for function in sorted(APP_ROLE_FUNCTIONS):
            statements.append(
                sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), grantee)
            )
        raw = connection.connection
        for statement in statements:
            cursor.execute(statement.as_string(raw))
    return True


def after_migrate(sender, using, verbosity=1, stdout=None, **kwargs):
    """post_migrate: the identity keys and the application role's privileges.

    Skipped (silently) on a connection that cannot write app.identity_keys:
    `migrate` on the application alias, or before core's migrations.
    """
    from core.identity import write_keys

    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('app.identity_keys') IS NOT NULL "
            "AND has_table_privilege('app.identity_keys', 'INSERT')"
        )
        if not cursor.fetchone()[0]:
            return
    try:
        with transaction.atomic(using=using):
            added, removed = write_keys(connection)
        keys = f"{added} key(s) added, {removed} removed"
    except ImproperlyConfigured:
        # migrate runs without SECRET_KEY too; the site refuses to start (E015)
        # until `set_identity_keys` runs with it.
        keys = "no SECRET_KEY, keys not written (run set_identity_keys)"
    granted = apply_app_role_privileges(connection)
    if verbosity >= 1 and stdout is not None:
        roles = f"privileges of {app_role()} applied" if granted else "no application role"
        stdout.write(f"  database identity: {keys}; {roles}\n")
