"""`runserver` refuses to serve unless row-level security holds, as wsgi.py and asgi.py do.

Django runs database checks only on request, and runserver asks for none; this
command (staticfiles' runserver, which serves static files in development) adds
the application database to its system checks, so the "rls" check of
core/checks.py runs and a failure stops it with SystemCheckError. `core` comes
before django.contrib.staticfiles in INSTALLED_APPS, so this command wins.
"""

from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticfilesRunserverCommand,
)

from core.checks import APP_ALIAS


class Command(StaticfilesRunserverCommand):
    def check(self, *args, databases=None, **kwargs):
        super().check(*args, databases=[*(databases or []), APP_ALIAS], **kwargs)
