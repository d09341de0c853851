# Schema v1.1 (docs/schema.md): `chk_users_task_sort` keeps users.task_sort (the
# list's remembered sort, accounts migration 0006) to the sort names of
# tasks/sorting.py. It lives here because the names are the task list's and
# accounts does not import tasks; the schema test checks it lists SORT_NAMES.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0013_v1_1_indexes"),
        ("accounts", "0006_v1_1_user_preferences"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "ALTER TABLE users ADD CONSTRAINT chk_users_task_sort "
                "CHECK (task_sort IN ('newest', 'oldest', 'due', 'priority', 'title'))",
            ],
            reverse_sql=["ALTER TABLE users DROP CONSTRAINT chk_users_task_sort"],
        ),
    ]
