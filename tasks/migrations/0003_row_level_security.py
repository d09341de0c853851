# Row-level security: the database refuses cross-user access even when the
# application forgets to filter.
#
# The policies read `app.current_user_id()`: the transaction-local setting
# `app.user_id`, written only by core/rls.py with set_config(..., true).
# NULLIF turns the '' a setting reads back as after an earlier transaction into
# NULL, so "no context" matches no row (fail closed) instead of failing the cast.
# Each policy calls the function through a scalar sub-select: PostgreSQL runs it
# once per statement (an InitPlan), and the user_id indexes stay usable.
#
# - tasks: ENABLE + FORCE (the owner is bound too); one policy for every command:
#   a row is visible, changeable and insertable only when its user_id is the
#   current user's. No context: SELECT sees nothing, INSERT fails.
# - users: ENABLE + FORCE; reads and inserts open (sign-in and sign-up happen
#   before anyone is signed in), UPDATE and DELETE only of one's own row. The
#   ON DELETE CASCADE from users removes tasks without consulting the tasks
#   policy, so protecting tasks means protecting user rows too.
# - users, privilege columns: a user may change their own row, so a trigger
#   keeps is_staff and is_superuser for roles with BYPASSRLS (the
#   administrative role): staff reach the admin, which works on every user's
#   rows, so the application role must not be able to make anyone staff.
# - tasks_archive (a later migration): the same ENABLE + FORCE and the same
#   owner-only policy as tasks; the system check (core/checks.py) refuses
#   to start the site while it is missing.
#
# No policy has a bypass switch. Cross-user access is a credential: the
# administrative role, which has BYPASSRLS.

from django.db import migrations

CURRENT_USER = "(SELECT app.current_user_id())"


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_foreign_key_and_updated_at_trigger")]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                CREATE FUNCTION app.current_user_id() RETURNS uuid
                LANGUAGE sql STABLE PARALLEL SAFE
                AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$
                """,
                "ALTER TABLE tasks ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE tasks FORCE ROW LEVEL SECURITY",
                f"""
                CREATE POLICY tasks_owner_only ON tasks FOR ALL
                USING (user_id = {CURRENT_USER})
                WITH CHECK (user_id = {CURRENT_USER})
                """,
                "ALTER TABLE users ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE users FORCE ROW LEVEL SECURITY",
                "CREATE POLICY users_read ON users FOR SELECT USING (true)",
                "CREATE POLICY users_signup ON users FOR INSERT WITH CHECK (true)",
                f"""
                CREATE POLICY users_self_update ON users FOR UPDATE
                USING (id = {CURRENT_USER})
                WITH CHECK (id = {CURRENT_USER})
                """,
                f"CREATE POLICY users_self_delete ON users FOR DELETE USING (id = {CURRENT_USER})",
                """
                CREATE FUNCTION app.guard_user_privileges() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF (SELECT rolsuper OR rolbypassrls FROM pg_roles
                        WHERE rolname = current_user) THEN
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
                $$
                """,
                """
                CREATE TRIGGER trg_users_guard_privileges
                BEFORE INSERT OR UPDATE OF is_staff, is_superuser ON users
                FOR EACH ROW EXECUTE FUNCTION app.guard_user_privileges()
                """,
            ],
            reverse_sql=[
                "DROP TRIGGER trg_users_guard_privileges ON users",
                "DROP FUNCTION app.guard_user_privileges()",
                "DROP POLICY users_self_delete ON users",
                "DROP POLICY users_self_update ON users",
                "DROP POLICY users_signup ON users",
                "DROP POLICY users_read ON users",
                "ALTER TABLE users NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE users DISABLE ROW LEVEL SECURITY",
                "DROP POLICY tasks_owner_only ON tasks",
                "ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE tasks DISABLE ROW LEVEL SECURITY",
                "DROP FUNCTION app.current_user_id()",
            ],
        ),
    ]
