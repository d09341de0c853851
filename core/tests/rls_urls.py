"""Test-only URLconf: the site's URLs plus views that forget to filter by user."""

from django.urls import path

from core.tests import rls_views
from todo_site.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("rls/unfiltered/", rls_views.unfiltered_tasks),
    path("rls/raw/", rls_views.raw_sql_tasks),
    path("rls/lazy/", rls_views.lazy_tasks),
    path("rls/write-then-fail/", rls_views.write_then_fail),
    path("rls/write-then-raise/", rls_views.write_then_raise),
    path("rls/write-then-fail-at-commit/", rls_views.write_then_fail_at_commit),
    path("rls/write-with-on-commit/", rls_views.write_with_on_commit),
    path("rls/switch-user/", rls_views.switch_user),
    *site_urlpatterns,
]
