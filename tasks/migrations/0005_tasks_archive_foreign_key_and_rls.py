# What Django cannot declare for `tasks_archive`, the same protection as `tasks`:
# - `fk_tasks_archive_user_id` ON DELETE CASCADE ON UPDATE CASCADE, so deleting a
#   user removes their archived tasks in the database itself;
# - ENABLE + FORCE ROW LEVEL SECURITY and one policy for every command: a row is
#   visible, changeable and insertable only when its user_id is the current
#   request's user (`app.current_user_id()`, see 0003). No context: nothing.

from django.db import migrations

CURRENT_USER = "(SELECT app.current_user_id())"


class Migration(migrations.Migration):
    dependencies = [("tasks", "0004_create_tasks_archive")]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                ALTER TABLE tasks_archive ADD CONSTRAINT fk_tasks_archive_user_id
                FOREIGN KEY (user_id) REFERENCES users (id)
                ON DELETE CASCADE ON UPDATE CASCADE
                """,
                "ALTER TABLE tasks_archive ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE tasks_archive FORCE ROW LEVEL SECURITY",
                f"""
                CREATE POLICY tasks_archive_owner_only ON tasks_archive FOR ALL
                USING (user_id = {CURRENT_USER})
                WITH CHECK (user_id = {CURRENT_USER})
                """,
            ],
            reverse_sql=[
                "DROP POLICY tasks_archive_owner_only ON tasks_archive",
                "ALTER TABLE tasks_archive NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE tasks_archive DISABLE ROW LEVEL SECURITY",
                "ALTER TABLE tasks_archive DROP CONSTRAINT fk_tasks_archive_user_id",
            ],
        ),
    ]
