"""The task pages. Every query goes through `Task.objects.for_owner(request.user)`.

Each page remembers where in the list it came from (tab, search, page) as query
parameters, and its forms post them back as hidden fields, so every action
returns to the same place. That state is rebuilt from a whitelist (`_list_state`),
never taken as a URL, so it cannot redirect anywhere else.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import error_response
from tasks import services
from tasks.archive import archived_task_restore
from tasks.forms import QuickAddForm, TaskCreateForm, TaskUpdateForm
from tasks.models import STATUS_ACTIVE, STATUS_ALL, STATUS_COMPLETED, ArchivedTask, Task

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 200
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")
TABS = ((STATUS_ALL, "All"), (STATUS_ACTIVE, "Active"), (STATUS_COMPLETED, "Completed"))


def _list_state(data) -> dict[str, str]:
    """The list's tab, search and page found in `data` (GET or POST), cleaned.

    Unknown values are dropped and defaults left out, so the result is safe to
    put in a URL and short: `{}` means the first page of all tasks.
    """
    state = {}
    status = data.get("status", "")
    if status in (STATUS_ACTIVE, STATUS_COMPLETED):
        state["status"] = status
    # PostgreSQL refuses NUL characters in text: drop them rather than fail.
    q = data.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]
    if q:
        state["q"] = q
    page = data.get("page", "")
    if _PAGE_NUMBER.fullmatch(page) and int(page) > 1:
        state["page"] = str(int(page))
    return state


def _with_state(url: str, state: dict[str, str]) -> str:
    return f"{url}?{urlencode(state)}" if state else url


def _list_url(state: dict[str, str]) -> str:
    return _with_state(reverse("tasks:list"), state)


def _page_url(state: dict[str, str], number: int) -> str:
    return _list_url({**state, "page": str(number)} if number > 1 else state)


def _back_url(request, state: dict[str, str], pk) -> str:
    """Where an action on one task returns: its own page when posted from there, else the list."""
    if request.POST.get("from") == "detail":
        return _with_state(reverse("tasks:detail", args=[pk]), state)
    return _list_url(state)


def _context(state: dict[str, str], **extra) -> dict:
    return {
        "page": "tasks",
        "state": state,
        "state_query": urlencode(state),
        "list_url": _list_url(state),
        **extra,
    }


def _get_task(request, pk) -> Task:
    """The signed-in user's task, or 404: another user's and a missing task look the same."""
    return get_object_or_404(Task.objects.for_owner(request.user), pk=pk)


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


@login_required
def task_list(request):
    state = _list_state(request.GET)
    status = state.get("status", STATUS_ALL)
    q = state.get("q", "")
    tasks = Task.objects.for_owner(request.user)
    counts = tasks.status_counts()
    shown = tasks.with_status(status).search(q).order_by("-created_at", "-id")
    paginator = Paginator(shown, PAGE_SIZE)
    if not q:
        # The tab's total is already in the counts: no second COUNT for the pages.
        paginator.count = counts[status]
    page_obj = paginator.get_page(state.get("page"))
    # An out-of-range page shows the last one; its links carry the page shown.
    state.pop("page", None)
    if page_obj.number > 1:
        state["page"] = str(page_obj.number)
    without_page = {k: v for k, v in state.items() if k != "page"}
    previous_url = next_url = None
    if page_obj.has_previous():
        previous_url = _page_url(without_page, page_obj.previous_page_number())
    if page_obj.has_next():
        next_url = _page_url(without_page, page_obj.next_page_number())
    tabs = [
        {
            "label": label,
            "count": counts[tab],
            "url": _list_url(_list_state({"status": tab, "q": q})),
            "current": tab == status,
        }
        for tab, label in TABS
    ]
    ctx = _context(
        state,
        status=status,
        q=q,
        counts=counts,
        tabs=tabs,
        page_obj=page_obj,
        tasks=list(page_obj.object_list),
        form=QuickAddForm(),
        previous_url=previous_url,
        next_url=next_url,
        clear_search_url=_list_url({k: v for k, v in without_page.items() if k != "q"}),
    )
    return render(request, "tasks/task_list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    # A new task is the newest: back to the first page of the same tab and search.
    state = _list_state(request.POST if request.method == "POST" else request.GET)
    state.pop("page", None)
    form = TaskCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["submit_token"]
        # A repeated post (same token, same content) gets the first one's answer.
        if token is None or services.submit_token_spend(
            owner=request.user, token=token, content=form.content()
        ):
            services.task_create(owner=request.user, **form.content())
        messages.success(request, "Task added.")
        return redirect(_list_url(state))
    return render(request, "tasks/task_form.html", _context(state, form=form, task=None))


@login_required
def task_detail(request, pk):
    task = _get_task(request, pk)
    return render(request, "tasks/task_detail.html", _context(_list_state(request.GET), task=task))


def _shown(value) -> str:
    """A field's value as the conflict table shows it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def _conflict_rows(form, current: Task) -> list[dict]:
    """Each edited field: its label, the value saved now and the one the user typed."""
    return [
        {
            "label": form[name].label,
            "saved": _shown(getattr(current, name)),
            "yours": _shown(form.cleaned_data[name]),
        }
        for name in form.Meta.fields
    ]


def _task_gone(request, state, form):
    """A save for a task that does not exist (deleted meanwhile, or not the user's):
    404, saying so and showing what was typed. The same page for both cases."""
    return render(request, "tasks/task_gone.html", _context(state, form=form), status=404)


def _task_gone(request, state, form):
    """A save for a task that does not exist (deleted meanwhile, or not the user's):
    404, saying so and showing what was typed. The same page for both cases."""
    return render(request, "tasks/task_gone.html", _context(state, form=form), status=404)


@login_required
@require_http_methods(["GET", "POST"])
def task_update(request, pk):
    """Edit a task. The form carries the version it was read at (`updated_at`):
    saving over a newer one shows both versions side by side instead of overwriting,
    and the form then carries the newer version, so "Save mine" is a deliberate choice.
    """
    state = _list_state(request.POST if request.method == "POST" else request.GET)
    try:
        task = _get_task(request, pk)
    except Http404:
        if request.method != "POST":
            raise
        return _task_gone(request, state, TaskUpdateForm(request.POST))
    form = TaskUpdateForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(task=task, **form.cleaned_data)
        except services.TaskGone:
            return _task_gone(request, state, form)
        except services.TaskChanged as changed:
            current = changed.current
            conflict = _conflict_rows(form, current)
            form = TaskUpdateForm(form.data_with_version(current.updated_at), instance=current)
            ctx = _context(state, form=form, task=current, conflict=conflict)
            return render(request, "tasks/task_form.html", ctx, status=409)
        messages.success(request, "Task saved.")
        return redirect(_list_url(state))
    return render(request, "tasks/task_form.html", _context(state, form=form, task=task))


@login_required
@require_POST
def task_toggle(request, pk):
    """Flip completion, or, when the form says which state it wants (`completed`), set it."""
    desired = request.POST.get("completed")
    if desired not in (None, "true", "false"):
        return error_response(request, 400)
    completed = services.task_toggle(
        owner=request.user,
        task_id=pk,
        completed=None if desired is None else desired == "true",
    )
    if completed is None:
        raise Http404
    messages.success(request, "Task marked as done." if completed else "Task reopened.")
    return redirect(_back_url(request, _list_state(request.POST), pk))


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request, pk):
    if request.method == "POST":
        if not services.task_delete(owner=request.user, task_id=pk):
            raise Http404
        messages.success(request, "Task deleted.")
        return redirect(_list_url(_list_state(request.POST)))
    task = _get_task(request, pk)
    state = _list_state(request.GET)
    return render(request, "tasks/task_confirm_delete.html", _context(state, task=task))


@login_required
@require_http_methods(["GET", "POST"])
def task_clear_completed(request):
    if request.method == "POST":
        deleted = services.task_clear_completed(owner=request.user)
        if deleted:
            messages.success(request, f"Deleted {_plural(deleted, 'completed task')}.")
        else:
            messages.info(request, "There were no completed tasks to clear.")
        return redirect(_list_url(_list_state(request.POST)))
    count = Task.objects.for_owner(request.user).with_status(STATUS_COMPLETED).count()
    state = _list_state(request.GET)
    return render(request, "tasks/task_confirm_clear.html", _context(state, count=count))


@login_required
@require_POST
def task_complete_all(request):
    completed, changed = services.task_complete_all(owner=request.user)
    if not changed:
        messages.info(request, "There are no tasks to change.")
    elif completed:
        messages.success(request, f"Marked {_plural(changed, 'task')} as done.")
    else:
        messages.success(request, f"Reopened {_plural(changed, 'task')}.")
    return redirect(_list_url(_list_state(request.POST)))


@login_required
def task_archive(request):
    """The user's archived tasks (moved there by `archive_tasks`), read-only, newest first."""
    archived = ArchivedTask.objects.for_owner(request.user).order_by("-created_at", "-id")
    page_obj = Paginator(archived, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/task_archive.html",
        _context({}, page_obj=page_obj, archived=list(page_obj.object_list)),
    )


@login_required
@require_POST
def task_restore(request, pk):
    task = archived_task_restore(user=request.user, task_id=pk)
    if task is None:
        raise Http404
    messages.success(request, "Task restored to your list.")
    return redirect("tasks:archive")
