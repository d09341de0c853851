# Nothing the application role can create may change what the policies and
# triggers do, and it gets no privilege by default.
#
# - Every function in schema `app` runs with `search_path = pg_catalog, pg_temp`
#   and names what it reads with its schema. Before, app.guard_user_privileges()
#   read `pg_roles` unqualified: a temporary view called pg_roles (the temporary
#   schema is searched first for relations) made the application role look like
#   a superuser to it.
# - The application role cannot create objects at all: no TEMPORARY on the
#   database (PUBLIC had it by default), nothing on schema public (PostgreSQL
#   before 15 granted CREATE there to PUBLIC). A temporary table named `tasks`
#   would otherwise capture the next statements on that connection.
# - PUBLIC loses USAGE on schemas app and public and EXECUTE on app's functions,
#   including functions created later by the administrative role. The
#   application role gets back exactly what core/grants.py lists, after every
#   migrate (the post_migrate step there).
# Revoking on the database and on schema public needs their owner; where the
# administrative role is not, the migration warns and the start-up check
# (todo_site.E012/E013) refuses to start until an owner runs the REVOKE.

from django.db import migrations

SET_UPDATED_AT = """
CREATE OR REPLACE FUNCTION app.set_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$
"""

FORMER_SET_UPDATED_AT = """
CREATE OR REPLACE FUNCTION app.set_updated_at() RETURNS trigger
LANGUAGE plpgsql RESET search_path AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$
"""

GUARD_BODY = """
BEGIN
    IF (SELECT r.rolsuper OR r.rolbypassrls FROM {catalog}pg_roles r
        WHERE r.rolname = current_user) THEN
        RETURN NEW;
    END IF;
    IF (TG_OP = 'INSERT' AND (NEW.is_staff OR NEW.is_superuser))
       OR (TG_OP = 'UPDATE' AND (NEW.is_staff, NEW.is_superuser)
           IS DISTINCT FROM (OLD.is_staff, OLD.is_superuser)) THEN
        RAISE EXCEPTION 'only the administrative role may grant or '
            'remove staff or superuser status'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
"""

GUARD = f"""
CREATE OR REPLACE FUNCTION app.guard_user_privileges() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
{GUARD_BODY.format(catalog="pg_catalog.")}
$$
"""

FORMER_GUARD = f"""
CREATE OR REPLACE FUNCTION app.guard_user_privileges() RETURNS trigger
LANGUAGE plpgsql RESET search_path AS $$
{GUARD_BODY.format(catalog="")}
$$
"""


def _as_owner(statement: str) -> str:
    """Run `statement` (a format() template: %I is this database); warn unless the owner."""
    return f"""
    DO $$
    BEGIN
        EXECUTE pg_catalog.format('{statement}', pg_catalog.current_database());
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'not the owner: run this as the owner of the database: %',
            pg_catalog.format('{statement}', pg_catalog.current_database());
    END
    $$
    """


class Migration(migrations.Migration):
    dependencies = [("core", "0002_users_closed")]

    operations = [
        migrations.RunSQL(
            sql=[
                SET_UPDATED_AT,
                GUARD,
                "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA app FROM PUBLIC",
                "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
                "REVOKE ALL ON SCHEMA app FROM PUBLIC",
                _as_owner("REVOKE ALL ON SCHEMA public FROM PUBLIC"),
                _as_owner("REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC"),
            ],
            reverse_sql=[
                _as_owner("GRANT TEMPORARY ON DATABASE %I TO PUBLIC"),
                _as_owner("GRANT USAGE ON SCHEMA public TO PUBLIC"),
                "GRANT USAGE ON SCHEMA app TO PUBLIC",
                "ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC",
                "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO PUBLIC",
                FORMER_GUARD,
                FORMER_SET_UPDATED_AT,
            ],
        ),
    ]
