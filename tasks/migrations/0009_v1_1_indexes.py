# Schema v1.1 indexes (docs/schema.md), built CONCURRENTLY: on a table of 100
# million rows a plain CREATE INDEX would block every write while it builds.
# CONCURRENTLY cannot run in a transaction, hence atomic = False.
# - idx_tasks_user_due_open (user_id, due_date) WHERE NOT completed: the Today
#   and Upcoming tabs, their counts, and open tasks sorted by due date.
# - idx_tasks_user_priority (user_id, priority DESC, created_at DESC, id DESC):
#   the priority sort.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tasks", "0008_v1_1_due_date_and_priority")]

    operations = [
        AddIndexConcurrently(
            model_name="task",
            index=models.Index(
                condition=models.Q(("completed", False)),
                fields=["user", "due_date"],
                name="idx_tasks_user_due_open",
            ),
        ),
        AddIndexConcurrently(
            model_name="task",
            index=models.Index(
                fields=["user", "-priority", "-created_at", "-id"],
                name="idx_tasks_user_priority",
            ),
        ),
    ]
