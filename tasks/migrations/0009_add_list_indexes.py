# An index for every ordering of the task list (tasks.models.LIST_ORDERINGS under
# each tab), so a page reads only its own rows at any size: see docs/schema.md,
# "List indexes", for the plans before and after at 10 million rows.
# CONCURRENTLY: a live table keeps taking writes while the indexes build (that
# cannot run in a transaction, hence atomic = False).

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations

import core.db


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tasks", "0008_task_ids_in_use_function"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(
                fields=["user", "-created_at", "-id"], name="idx_tasks_user_created_id"
            ),
        ),
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(
                fields=["user", "completed", "-created_at", "-id"],
                name="idx_tasks_user_completed_created_id",
            ),
        ),
    ]
