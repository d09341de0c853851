import sys

from django.apps import AppConfig, apps


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
        from django.core.checks import register
        from django.db.models.signals import post_migrate

        from core.grants import after_migrate
        from todo_site import checks  # registers the "rls" database check

        # Once per migrate (auth always has models, so it always gets the signal).
        post_migrate.connect(
            after_migrate, sender=apps.get_app_config("auth"), dispatch_uid="core.after_migrate"
        )

        if _runs_the_development_server():
            # Database checks don't run on runserver; this untagged twin does,
            # so runserver refuses to serve when RLS would not hold.
            register(checks.check_row_level_security_at_start, "rls")
