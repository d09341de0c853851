from django.apps import AppConfig

from core.rls import Policy, ProtectedTable


class TasksConfig(AppConfig):
    name = "tasks"
    default_auto_field = "django.db.models.BigAutoField"

    # Row-level security (migrations 0003_row_level_security, 0005 for the
    # archive, 0007 for the trash and 0011 for the create forms' one-time tokens):
    # a task, live, archived or in the trash, and a token are visible and
    # writable only by their owner. The counts (0016) are readable by their
    # owner only, and written only by the database's triggers.
    rls_tables = (
        ProtectedTable("tasks", (Policy("tasks_owner_only", "ALL", owner_column="user_id"),)),
        ProtectedTable(
            "tasks_archive",
            (Policy("tasks_archive_owner_only", "ALL", owner_column="user_id"),),
        ),
        ProtectedTable(
            "tasks_trash", (Policy("tasks_trash_owner_only", "ALL", owner_column="user_id"),)
        ),
        ProtectedTable(
            "submit_tokens",
            (Policy("submit_tokens_owner_only", "ALL", owner_column="user_id"),),
        ),
        ProtectedTable(
            "task_counts", (Policy("task_counts_owner_read", "SELECT", owner_column="user_id"),)
        ),
    )
