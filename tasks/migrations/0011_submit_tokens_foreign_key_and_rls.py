# What Django cannot declare for `submit_tokens` (one-time tokens of the create
# forms, see tasks/models.py SubmitToken), the same protection as `tasks`:
# - `fk_submit_tokens_user_id` ON DELETE CASCADE ON UPDATE CASCADE, so deleting a
#   user removes their tokens in the database itself;
# - ENABLE + FORCE ROW LEVEL SECURITY and one policy for every command: a token
#   is visible, usable and insertable only when its user_id is the current
#   request's user (`app.current_user_id()`, see 0003). No context: nothing.
# Privileges: the application role gets SELECT/INSERT/UPDATE/DELETE from the
# default privileges every table receives (README, "Row-level security").

from django.db import migrations

CURRENT_USER = "(SELECT app.current_user_id())"


class Migration(migrations.Migration):
    dependencies = [("tasks", "0010_create_submit_tokens")]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                ALTER TABLE submit_tokens ADD CONSTRAINT fk_submit_tokens_user_id
                FOREIGN KEY (user_id) REFERENCES users (id)
                ON DELETE CASCADE ON UPDATE CASCADE
                """,
                "ALTER TABLE submit_tokens ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE submit_tokens FORCE ROW LEVEL SECURITY",
                f"""
                CREATE POLICY submit_tokens_owner_only ON submit_tokens FOR ALL
                USING (user_id = {CURRENT_USER})
                WITH CHECK (user_id = {CURRENT_USER})
                """,
            ],
            reverse_sql=[
                "DROP POLICY submit_tokens_owner_only ON submit_tokens",
                "ALTER TABLE submit_tokens NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE submit_tokens DISABLE ROW LEVEL SECURITY",
                "ALTER TABLE submit_tokens DROP CONSTRAINT fk_submit_tokens_user_id",
            ],
        ),
    ]
