from django.apps import AppConfig, apps

from core.rls import Policy, ProtectedTable


class CoreConfig(AppConfig):
    name = "core"

    # The admin's action log names users' objects in object_repr (a task's
    # title, a user's e-mail): each staff member's entries are theirs alone
    # (core/migrations/0002_users_closed).
    rls_tables = (
        ProtectedTable(
            "django_admin_log",
            (Policy("django_admin_log_owner_only", "ALL", owner_column="user_id"),),
        ),
    )

    def ready(self):
        from django.db.models.signals import post_migrate

        from core import checks  # noqa: F401 (registers the "rls" database check)
        from core.grants import after_migrate

        # The identity keys and the application role's privileges, once per
        # migrate (auth always has models, so it always gets the signal).
        post_migrate.connect(
            after_migrate, sender=apps.get_app_config("auth"), dispatch_uid="core.after_migrate"
        )
