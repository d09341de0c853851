from django.apps import AppConfig

from core.rls import Policy, ProtectedTable


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    # Row-level security on users (tasks/migrations/0003_row_level_security, because
    # the cascade from users to tasks bypasses the tasks policy; closed by
    # core/migrations/0002_users_closed): a user reads, inserts, changes and
    # deletes only their own row; before sign-in, a signed claim for one e-mail
    # address reads that one row (core/rls.py, email_context).
    # The two-factor tables of django-otp (migrations/0005): a device and its
    # recovery codes are visible and writable only by their user.
    rls_tables = (
        ProtectedTable(
            "users",
            (
                Policy("users_self_read", "SELECT", owner_column="id"),
                Policy("users_self_insert", "INSERT", owner_column="id"),
                Policy("users_self_update", "UPDATE", owner_column="id"),
                Policy("users_self_delete", "DELETE", owner_column="id"),
            ),
        ),
        ProtectedTable(
            "otp_totp_totpdevice",
            (Policy("otp_totp_totpdevice_owner_only", "ALL", owner_column="user_id"),),
        ),
        ProtectedTable(
            "otp_static_staticdevice",
            (Policy("otp_static_staticdevice_owner_only", "ALL", owner_column="user_id"),),
        ),
        ProtectedTable(
            "otp_static_statictoken",
            (
                Policy(
                    "otp_static_statictoken_owner_only",
                    "ALL",
                    owner_column="device_id",
                    through="otp_static_staticdevice",
                ),
            ),
        ),
    )

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from accounts.signals import update_last_login_as_user
        from core.session_expiry import mark_fresh

        # Django's receiver writes users.last_login before the request acts as
        # the user, and RLS lets a user update only their own row.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_as_user, dispatch_uid="update_last_login")
        user_logged_in.connect(mark_fresh, dispatch_uid="session_mark_fresh")
