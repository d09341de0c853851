# Schema v1.1 indexes (docs/schema.md), built CONCURRENTLY: on a table of 100
# million rows a plain CREATE INDEX would block every write while it builds.
# CONCURRENTLY cannot run in a transaction, hence atomic = False.
# One pair per new sort of the list (tasks/sorting.py): the All tab, and the
# Active and Completed tabs (completed first), so every tab in every order reads
# its page straight off an index (tasks/tests/test_list_indexes.py). The Active
# due-date index also serves Today and Upcoming (a due_date range on open tasks)
# and their counts, index-only (tasks/tests/test_planning_plans.py).

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations

import core.db


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tasks", "0012_v1_1_due_date_and_priority")]

    operations = [
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(
                fields=["user", "due_date", "-created_at", "-id"], name="idx_tasks_user_due"
            ),
        ),
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(
                fields=["user", "completed", "due_date", "-created_at", "-id"],
                name="idx_tasks_user_completed_due",
            ),
        ),
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(
                fields=["user", "-priority", "-created_at", "-id"], name="idx_tasks_user_priority"
            ),
        ),
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(
                fields=["user", "completed", "-priority", "-created_at", "-id"],
                name="idx_tasks_user_completed_priority",
            ),
        ),
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(fields=["user", "title", "id"], name="idx_tasks_user_title"),
        ),
        AddIndexConcurrently(
            model_name="task",
            index=core.db.Index(
                fields=["user", "completed", "title", "id"], name="idx_tasks_user_completed_title"
            ),
        ),
    ]
