"""The baselines every page of the benchmark is compared with, in the same run and server.

- `bare`: the least a list page can be in this stack: login required (session,
  user, RLS transaction, CSRF cookie, as every page), one query of 50 rows on an
  index, one template with no includes, no counts, no URL reversing.
- `nodb`: Django and the middleware with no query of its own (requested
  anonymously, it costs the middleware's transaction and nothing else).

And `rendered`: the task list rendered for every request, as the first view
after a change is (the site keeps a page it rendered until the user's tasks
change: tasks/page_cache.py), so the run shows that cost beside the kept page's.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tasks import views as task_views
from tasks.list_state import ListState
from tasks.models import Task


@login_required
def bare(request):
    rows = Task.objects.for_owner(request.user).order_by("-created_at", "-id")
    rows = rows.values_list("id", "title", "completed")[:50]
    return render(request, "bench/bare.html", {"rows": rows})


def nodb(request):
    return render(request, "bench/nodb.html")


@login_required
def rendered(request):
    state = ListState.from_data(request.GET)
    return task_views._render_list(request, state, task_views._quick_add_form())
