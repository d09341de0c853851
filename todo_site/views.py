from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.shortcuts import redirect, render


def home(request):
    if request.user.is_authenticated:
        return redirect("tasks:list")
    return render(request, "home.html", {"page": "home"})


def healthz(request):
    """The process is up. Touches no database."""
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
