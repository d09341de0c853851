"""Liveness and readiness probes for load balancers and orchestrators.

Answered by the first middleware: before the HTTPS redirect (probes often come
over plain HTTP from inside the network) and before the request transaction,
so /healthz touches no database at all.
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse


def healthz(request):
    """200 while the process is up. Touches no database."""
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    """200 when the database answers and no migration is pending; 503 otherwise."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    if pending:
        return HttpResponse(
            f"{len(pending)} migration(s) pending", status=503, content_type="text/plain"
        )
    return HttpResponse("ready", content_type="text/plain")


PROBES = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
