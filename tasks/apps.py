from django.apps import AppConfig

from core.rls import Policy, ProtectedTable


class TasksConfig(AppConfig):
    name = "tasks"
    default_auto_field = "django.db.models.BigAutoField"

    # Row-level security (migrations 0003_row_level_security and
    # 0005_tasks_archive_foreign_key_and_rls): a task, live or archived, is
    # visible and writable only by its owner.
    rls_tables = (
        ProtectedTable("tasks", (Policy("tasks_owner_only", "ALL", owner_column="user_id"),)),
        ProtectedTable(
            "tasks_archive",
            (Policy("tasks_archive_owner_only", "ALL", owner_column="user_id"),),
        ),
    )
