"""ASGI entry point.

Refuses to start (ImproperlyConfigured) unless the application connection is
bound by row-level security: see todo_site/checks.py.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_site.settings")

application = get_asgi_application()

from todo_site.checks import refuse_to_start_unless_rls_holds  # noqa: E402

refuse_to_start_unless_rls_holds()
