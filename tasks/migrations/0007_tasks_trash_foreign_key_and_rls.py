# What Django cannot declare for `tasks_trash` (deleted tasks, kept 30 days for
# Undo and the export), the same protection as `tasks` and `tasks_archive`:
# - `fk_tasks_trash_user_id` ON DELETE CASCADE ON UPDATE CASCADE, so deleting a
#   user removes their trash in the database itself;
# - ENABLE + FORCE ROW LEVEL SECURITY and one policy for every command: a row is
#   visible, changeable and insertable only when its user_id is the current
#   request's user (`app.current_user_id()`, see 0003). No context: nothing.
# The application role gets its privileges from the default privileges the
# administrative role grants (see docs/security.md, "The two roles").

from django.db import migrations

CURRENT_USER = "(SELECT app.current_user_id())"


class Migration(migrations.Migration):
    dependencies = [("tasks", "0006_create_tasks_trash")]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                ALTER TABLE tasks_trash ADD CONSTRAINT fk_tasks_trash_user_id
                FOREIGN KEY (user_id) REFERENCES users (id)
                ON DELETE CASCADE ON UPDATE CASCADE
                """,
                "ALTER TABLE tasks_trash ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE tasks_trash FORCE ROW LEVEL SECURITY",
                f"""
                CREATE POLICY tasks_trash_owner_only ON tasks_trash FOR ALL
                USING (user_id = {CURRENT_USER})
                WITH CHECK (user_id = {CURRENT_USER})
                """,
            ],
            reverse_sql=[
                "DROP POLICY tasks_trash_owner_only ON tasks_trash",
                "ALTER TABLE tasks_trash NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE tasks_trash DISABLE ROW LEVEL SECURITY",
                "ALTER TABLE tasks_trash DROP CONSTRAINT fk_tasks_trash_user_id",
            ],
        ),
    ]
