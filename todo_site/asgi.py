"""ASGI entry point.

Refuses to start (ImproperlyConfigured) unless the application connection is
bound by row-level security, or without a SECRET_KEY: see core/checks.py.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_site.settings")

from core.checks import (  # noqa: E402
    refuse_to_start_unless_rls_holds,
    refuse_to_start_without_secret_key,
)

refuse_to_start_without_secret_key()
application = get_asgi_application()
refuse_to_start_unless_rls_holds()
