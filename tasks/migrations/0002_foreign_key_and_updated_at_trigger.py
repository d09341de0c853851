# What Django cannot declare for `tasks`:
# - the spec's foreign key `fk_tasks_user_id` with ON DELETE CASCADE ON UPDATE
#   CASCADE, so a plain `DELETE FROM users` removes that user's tasks in the
#   database itself (the model declares db_constraint=False and DO_NOTHING);
# - the trigger that sets updated_at = now() on every UPDATE.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0001_create_tasks"),
        ("accounts", "0002_updated_at_trigger"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                ALTER TABLE tasks ADD CONSTRAINT fk_tasks_user_id
                FOREIGN KEY (user_id) REFERENCES users (id)
                ON DELETE CASCADE ON UPDATE CASCADE
                """,
                """
                CREATE TRIGGER trg_tasks_updated_at BEFORE UPDATE ON tasks
                FOR EACH ROW EXECUTE FUNCTION app.set_updated_at()
                """,
            ],
            reverse_sql=[
                "DROP TRIGGER trg_tasks_updated_at ON tasks",
                "ALTER TABLE tasks DROP CONSTRAINT fk_tasks_user_id",
            ],
        ),
    ]
