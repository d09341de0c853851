import sys

from django.apps import AppConfig


def _runs_the_development_server() -> bool:
    """`manage.py runserver` (and the autoreloader's child): the site is about to serve.

    gunicorn and ASGI servers are covered by wsgi.py/asgi.py; every other command
    (migrate, localdb, makemigrations, shell, tests) must run without the check,
    e.g. before the tables exist.
    """
    return len(sys.argv) > 1 and sys.argv[1] == "runserver"


class TodoSiteConfig(AppConfig):
    name = "todo_site"
    verbose_name = "todo site"

    def ready(self):
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login
        from django.core.checks import register

        from todo_site import checks  # registers the "rls" database check

        if _runs_the_development_server():
            # Database checks don't run on runserver; this untagged twin does,
            # so runserver refuses to serve when RLS would not hold.
            register(checks.check_row_level_security_at_start, "rls")

        # Signing in writes the user's own row (last_login); under row-level
        # security only that user may, so the write runs as them. Replaces
        # Django's receiver, whatever view signs the user in (admin, tests).
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_as_the_user, dispatch_uid="update_last_login")


def update_last_login_as_the_user(sender, user, **kwargs):
    """Django's update_last_login, inside the signed-in user's RLS context. One UPDATE."""
    from django.contrib.auth.models import update_last_login

    from todo_site.rls import user_context

    with user_context(user.pk):
        update_last_login(sender, user, **kwargs)
