"""The baselines every page of the benchmark is compared with, in the same run and server.

- `bare`: the least a list page can be in this stack: login required (session,
  user, RLS transaction, CSRF cookie, as every page), one query of 50 rows on an
  index, one template with no includes, no counts, no URL reversing.
- `nodb`: Django and the middleware with no query of its own (requested
  anonymously, it costs the middleware's transaction and nothing else).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tasks.models import Task


@login_required
def bare(request):
    rows = Task.objects.for_owner(request.user).order_by("-created_at", "-id")
    rows = rows.values_list("id", "title", "completed")[:50]
    return render(request, "bench/bare.html", {"rows": rows})


def nodb(request):
    return render(request, "bench/nodb.html")
