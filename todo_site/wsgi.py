"""WSGI entry point (gunicorn todo_site.wsgi).

Refuses to start (ImproperlyConfigured) unless the application connection is
bound by row-level security: see todo_site/checks.py.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_site.settings")

application = get_wsgi_application()

from todo_site.checks import refuse_to_start_unless_rls_holds  # noqa: E402

refuse_to_start_unless_rls_holds()
