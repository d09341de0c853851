# `users` closed to other rows, and the admin's action log kept per user.
#
# Before, the application role could read every user row (e-mails, password
# hashes) because sign-in and sign-up look users up before anyone is signed in.
# Now each pre-identity step carries a signed claim (see 0001):
# - reading: one's own row (`id = current_user_id()`), or, under an e-mail claim
#   the application signed for sign-in, sign-up or a password-reset request, the
#   one row with that address (`email = current_email()`); read-only;
# - inserting (sign-up): only a row whose id the application signed a user
#   claim for before the INSERT;
# - updating and deleting: one's own row only (unchanged).
# django_admin_log names users' objects (a task's title, a user's e-mail) in
# object_repr: a staff member's entries are theirs alone, under the same rule.
# The administrative role (BYPASSRLS) still sees everything.

from django.db import migrations

CURRENT_USER = "(SELECT app.current_user_id())"
CURRENT_EMAIL = "(SELECT app.current_email())"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_database_identity"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP POLICY users_read ON users",
                "DROP POLICY users_signup ON users",
                f"""
                CREATE POLICY users_self_read ON users FOR SELECT
                USING (id = {CURRENT_USER} OR email = {CURRENT_EMAIL})
                """,
                f"CREATE POLICY users_self_insert ON users FOR INSERT WITH CHECK (id = {CURRENT_USER})",
                "ALTER TABLE django_admin_log ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE django_admin_log FORCE ROW LEVEL SECURITY",
                f"""
                CREATE POLICY django_admin_log_owner_only ON django_admin_log FOR ALL
                USING (user_id = {CURRENT_USER})
                WITH CHECK (user_id = {CURRENT_USER})
                """,
            ],
            reverse_sql=[
                "DROP POLICY django_admin_log_owner_only ON django_admin_log",
                "ALTER TABLE django_admin_log NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE django_admin_log DISABLE ROW LEVEL SECURITY",
                "DROP POLICY users_self_insert ON users",
                "DROP POLICY users_self_read ON users",
                "CREATE POLICY users_signup ON users FOR INSERT WITH CHECK (true)",
                "CREATE POLICY users_read ON users FOR SELECT USING (true)",
            ],
        ),
    ]
