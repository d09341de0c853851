# The guard on users' staff and superuser flags runs only for rows where the flags
# are set or changed: a WHEN condition, evaluated without calling the function,
# instead of a PL/pgSQL call for every inserted row. Same protection (the function
# is unchanged and still decides), but an ordinary sign-up or a bulk load of a
# million users no longer pays ~50 µs per row to look the role up in pg_roles
# (measured: a third of generate_data's users step). INSERT and UPDATE need a
# trigger each, since an INSERT trigger's condition cannot read OLD.

from django.db import migrations

BEFORE = """
CREATE TRIGGER trg_users_guard_privileges
BEFORE INSERT OR UPDATE OF is_staff, is_superuser ON users
FOR EACH ROW EXECUTE FUNCTION app.guard_user_privileges()
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0005_token_claim_without_bounded_regex")]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP TRIGGER trg_users_guard_privileges ON users",
                """
                CREATE TRIGGER trg_users_guard_privileges
                BEFORE INSERT ON users
                FOR EACH ROW WHEN (NEW.is_staff OR NEW.is_superuser)
                EXECUTE FUNCTION app.guard_user_privileges()
                """,
                """
                CREATE TRIGGER trg_users_guard_privilege_changes
                BEFORE UPDATE OF is_staff, is_superuser ON users
                FOR EACH ROW WHEN ((NEW.is_staff, NEW.is_superuser)
                                   IS DISTINCT FROM (OLD.is_staff, OLD.is_superuser))
                EXECUTE FUNCTION app.guard_user_privileges()
                """,
            ],
            reverse_sql=[
                "DROP TRIGGER trg_users_guard_privilege_changes ON users",
                "DROP TRIGGER trg_users_guard_privileges ON users",
                BEFORE,
            ],
        ),
    ]
