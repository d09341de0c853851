from django.apps import AppConfig

from core.rls import Policy, ProtectedTable


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    # Row-level security on users (created by tasks/migrations/0003_row_level_security,
    # because the cascade from users to tasks bypasses the tasks policy): anyone may
    # read and sign up (sign-in and sign-up happen before anyone is signed in); a
    # user changes or deletes only their own row.
    rls_tables = (
        ProtectedTable(
            "users",
            (
                Policy("users_read", "SELECT"),
                Policy("users_signup", "INSERT"),
                Policy("users_self_update", "UPDATE", owner_column="id"),
                Policy("users_self_delete", "DELETE", owner_column="id"),
            ),
        ),
    )

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from accounts.signals import update_last_login_as_user

        # Django's receiver writes users.last_login before the request acts as
        # the user, and RLS lets a user update only their own row.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_as_user, dispatch_uid="update_last_login")
