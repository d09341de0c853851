"""Test-only URLconf: the site's URLs plus views that fail in the ways the error pages cover."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from todo_site.urls import handler400, handler403, handler404, handler500  # noqa: F401
from todo_site.urls import urlpatterns as site_urlpatterns


def crash(request):
    raise RuntimeError("secret internal detail: /srv/app/settings.py")


def database_gone(request):
    raise OperationalError("connection to server on socket /srv/pg/.s.PGSQL.5432 failed")


def bare_429(request):
    return HttpResponse(status=429)


urlpatterns = [
    path("fail/crash/", crash),
    path("fail/database/", database_gone),
    path("fail/throttled/", bare_429),
    *site_urlpatterns,
]
