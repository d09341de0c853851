"""The task pages. Every query goes through `Task.objects.for_owner(request.user)`.

Each page knows where in the list it came from (tab, search, page): a
`ListState` (tasks/list_state.py) read from GET or POST, handed to the template
as `state` for its links and hidden fields.
"""

import uuid
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import error_response
from tasks import export, services
from tasks.forms import ImportForm, QuickAddForm, TaskCreateForm, TaskRenameForm, TaskUpdateForm
from tasks.imports import MAX_BYTES, ids_in_use, import_read, import_tasks
from tasks.list_state import ListState, clean_text
from tasks.models import (
    LIST_ORDERINGS,
    SORT_NEWEST,
    STATUS_ACTIVE,
    STATUS_ALL,
    STATUS_COMPLETED,
    ArchivedTask,
    Task,
)
from tasks.paging import cursor_of, keyset_rows, parse_cursor, supports_keyset
from tasks.undo import undo_offer, undo_take

PAGE_SIZE = 50
TABS = ((STATUS_ALL, "All"), (STATUS_ACTIVE, "Active"), (STATUS_COMPLETED, "Completed"))


def _state(request) -> ListState:
    """The list state the request carries: posted with a form, else in the query string."""
    return ListState.from_data(request.POST if request.method == "POST" else request.GET)


def _back_url(request, state: ListState, pk) -> str:
    """Where an action on one task returns: its own page when posted from there, else the list."""
    if request.POST.get("from") == "detail":
        return state.url(reverse("tasks:detail", args=[pk]))
    return state.list_url


def _context(request, state: ListState, **extra) -> dict:
    """What every task page's template gets. The list repeats the state's hidden fields
    and the CSRF token in two forms per row: the state makes its fields once, and the
    token is resolved here once rather than lazily 100 times (bench/profile.py)."""
    return {"page_name": "tasks", "state": state, "csrf_token": get_token(request), **extra}


def _list_page(paginator: Paginator, state: ListState, ordering) -> tuple[Page, dict]:
    """The page the state asks for, and the cursor that served it (else `{}`).

    By keyset when the state's cursor is valid for its page (the same cost on
    every page), else by number with OFFSET; an out-of-range number shows the last page.
    """
    try:
        number = paginator.validate_number(state.page)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    cursor = state.cursor
    if cursor and number > 1 and number == state.page and supports_keyset(ordering):
        key, raw = cursor
        values = parse_cursor(raw, ordering)
        if values is not None:
            rows = keyset_rows(paginator.object_list, ordering, size=PAGE_SIZE, **{key: values})
            if rows:
                return Page(rows, number, paginator), {key: raw}
    return paginator.page(number), {}


def _get_task(request, pk) -> Task:
    """The signed-in user's task, or 404: another user's and a missing task look the same."""
    return get_object_or_404(Task.objects.for_owner(request.user), pk=pk)


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _shown_counts(counts: dict[str, int], status: str) -> dict[str, int]:
    """Counts of the tab's tasks by status, derived from `counts` of its whole search."""
    if status == STATUS_ALL:
        return counts
    n = counts[status]
    return {
        STATUS_ALL: n,
        STATUS_ACTIVE: n if status == STATUS_ACTIVE else 0,
        STATUS_COMPLETED: n if status == STATUS_COMPLETED else 0,
    }


def _shown(request, state: ListState):
    """The tasks the list shows for `state`: its tab and search, every page."""
    return Task.objects.for_owner(request.user).with_status(state.status).search(state.q)


def _bulk_actions(shown: dict[str, int]) -> dict[str, str]:
    """Labels of the bulk buttons that would change something among the shown tasks."""
    actions = {}
    if shown[STATUS_ACTIVE]:
        actions["complete"] = f"Mark {_plural(shown[STATUS_ACTIVE], 'shown task')} as done"
    elif shown[STATUS_COMPLETED]:
        actions["complete"] = f"Reopen {_plural(shown[STATUS_COMPLETED], 'shown task')}"
    if shown[STATUS_COMPLETED]:
        actions["clear"] = f"Clear {_plural(shown[STATUS_COMPLETED], 'shown completed task')}"
    return actions


@login_required
@require_http_methods(["GET", "POST"])
def task_list(request):
    """The list; a POST is the quick-add form (an empty title stays here with its message)."""
    state = ListState.from_data(request.GET)
    form = QuickAddForm(request.POST or None, focus=request.method == "POST")
    if request.method == "POST":
        if "details" in request.POST:
            # "Add with details": the full form, with what was typed so far.
            params = {
                **state.first_page().params,
                "title": clean_text(request.POST.get("title", "")),
            }
            return redirect(f"{reverse('tasks:create')}?{urlencode(params)}")
        if form.is_valid():
            return _quick_added(request, state, form)
    return _render_list(request, state, form)


def _spend_token(request, form) -> bool:
    """False when this post repeats an earlier one (same one-time token, same content)."""
    token = form.cleaned_data["submit_token"]
    return token is None or services.submit_token_spend(
        owner=request.user, token=token, content=form.content()
    )


def _quick_added(request, state, form):
    state = state.first_page()
    if not _spend_token(request, form):
        # A repeated post (double click, retry): answered as the first, nothing added.
        messages.success(request, "Task added.", extra_tags="added")
        return redirect(state.list_url)
    task = services.task_create(owner=request.user, **form.content())
    shown = _shown(request, state).filter(pk=task.pk).exists()
    if shown:
        messages.success(request, "Task added.", extra_tags="added")
    else:
        # Added on the Completed tab or during a search: say where it went.
        url = f"{reverse('tasks:detail', args=[task.pk])}"
        messages.success(
            request,
            format_html(
                'Task added to Active tasks; it is not shown here. <a href="{}">Show it</a>',
                url,
            ),
            extra_tags="added",
        )
    return redirect(state.list_url)


class _CountedPaginator(Paginator):
    """A Paginator given the total it would otherwise COUNT (the status counts hold it)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _render_list(request, state: ListState, form):
    tasks = Task.objects.for_owner(request.user)
    counts = tasks.status_counts()
    # With a search, one more aggregate gives the search's counts (and the pages' total).
    shown_counts = _shown_counts(
        tasks.search(state.q).status_counts() if state.q else counts, state.status
    )
    ordering = LIST_ORDERINGS[SORT_NEWEST]
    shown = tasks.with_status(state.status).search(state.q).in_list_order(SORT_NEWEST)
    paginator = _CountedPaginator(shown, PAGE_SIZE, count=shown_counts[STATUS_ALL])
    page_obj, cursor = _list_page(paginator, state, ordering)
    rows = list(page_obj.object_list)
    # The forms (through the state) come back to the page shown, by the same cursor.
    state = state.with_page(page_obj.number, cursor)
    previous_url = next_url = None
    if page_obj.has_previous() and rows:
        before = {"before": cursor_of(rows[0], ordering)}
        previous_url = state.with_page(page_obj.previous_page_number(), before).list_url
    if page_obj.has_next() and rows:
        after = {"after": cursor_of(rows[-1], ordering)}
        next_url = state.with_page(page_obj.next_page_number(), after).list_url
    tabs = [
        {
            "label": label,
            "count": counts[tab],
            "url": state.with_status(tab).list_url,
            "current": tab == state.status,
        }
        for tab, label in TABS
    ]
    if not form.is_bound and any(m.extra_tags == "added" for m in messages.get_messages(request)):
        # Right after an add (without JavaScript), the field is ready for the next one.
        form = QuickAddForm(focus=True)
    ctx = _context(
        request,
        state,
        counts=counts,
        tabs=tabs,
        page_obj=page_obj,
        tasks=rows,
        form=form,
        bulk=_bulk_actions(shown_counts),
        previous_url=previous_url,
        next_url=next_url,
        clear_search_url=state.without_search().list_url,
    )
    return render(request, "tasks/task_list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    # A new task is the newest: back to the first page of the same tab and search.
    state = _state(request).first_page()
    initial = {"title": clean_text(request.GET.get("title", ""))}
    form = TaskCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # A repeated post (same token, same content) gets the first one's answer.
        if _spend_token(request, form):
            services.task_create(owner=request.user, **form.content())
        messages.success(request, "Task added.")
        return redirect(state.list_url)
    return render(request, "tasks/task_form.html", _context(request, state, form=form, task=None))


@login_required
def task_detail(request, pk):
    task = _get_task(request, pk)
    return render(request, "tasks/task_detail.html", _context(request, _state(request), task=task))


def _as_text(value) -> str:
    """A field's value as the conflict table shows it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def _conflict_rows(form, current: Task) -> list[dict]:
    """Each edited field: its label, the value saved now and the one the user typed."""
    return [
        {
            "label": form[name].label,
            "saved": _as_text(getattr(current, name)),
            "yours": _as_text(form.cleaned_data[name]),
        }
        for name in form.Meta.fields
    ]


def _task_gone(request, state, form):
    """A save for a task that does not exist (deleted meanwhile, or not the user's):
    404, saying so and showing what was typed. The same page for both cases."""
    return render(request, "tasks/task_gone.html", _context(request, state, form=form), status=404)


@login_required
@require_http_methods(["GET", "POST"])
def task_update(request, pk):
    """Edit a task. The form carries the version it was read at (`updated_at`):
    saving over a newer one shows both versions side by side instead of overwriting,
    and the form then carries the newer version, so "Save mine" is a deliberate choice.
    """
    state = _state(request)
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
            ctx = _context(request, state, form=form, task=current, conflict=conflict)
            return render(request, "tasks/task_form.html", ctx, status=409)
        messages.success(request, "Task saved.")
        return redirect(state.list_url)
    return render(request, "tasks/task_form.html", _context(request, state, form=form, task=task))


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
    return redirect(_back_url(request, _state(request), pk))


@login_required
@require_POST
def task_rename(request, pk):
    """The list's inline title edit (JavaScript only); errors come back as a message.

    Like the edit page, it carries the version it was read at: a rename over a
    newer title says what is saved and what was typed, and saves neither over the other.
    """
    task = _get_task(request, pk)
    form = TaskRenameForm(request.POST, instance=task)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        title = form.cleaned_data["title"]
        try:
            services.task_rename(task=task, title=title, version=form.cleaned_data["version"])
        except services.TaskGone:
            messages.error(request, f"That task no longer exists; “{title}” was not saved.")
        except services.TaskChanged as changed:
            messages.error(
                request,
                "The task changed after you started editing it: it is now "
                f"“{changed.current.title}”. Your title “{title}” was not saved; "
                "edit it again to keep yours.",
            )
        else:
            messages.success(request, "Title saved.")
    return redirect(_state(request).list_url)


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request, pk):
    """GET asks to confirm; POST moves the task to the trash, with Undo in the message."""
    if request.method == "POST":
        if not services.task_delete(owner=request.user, task_id=pk):
            raise Http404
        state = _state(request)
        undo = undo_offer(request, action="delete", ids=[pk], state=state.params)
        messages.success(request, "Task deleted.", extra_tags=undo)
        return redirect(state.list_url)
    task = _get_task(request, pk)
    return render(
        request, "tasks/task_confirm_delete.html", _context(request, _state(request), task=task)
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_clear_completed(request):
    """Archive the completed tasks among those shown (tab and search), with Undo."""
    if request.method == "POST":
        state = _state(request)
        archived = services.task_clear_completed(owner=request.user, tasks=_shown(request, state))
        if archived:
            undo = undo_offer(request, action="archive", ids=archived, state=state.params)
            messages.success(
                request, f"Archived {_plural(len(archived), 'completed task')}.", extra_tags=undo
            )
        else:
            messages.info(request, "There were no completed tasks to clear.")
        return redirect(state.list_url)
    state = _state(request)
    count = _shown(request, state).filter(completed=True).count()
    return render(request, "tasks/task_confirm_clear.html", _context(request, state, count=count))


@login_required
@require_POST
def task_complete_all(request):
    """Mark the shown tasks (tab and search, every page) done, or all open again; with Undo."""
    state = _state(request)
    completed, ids = services.task_complete_all(owner=request.user, tasks=_shown(request, state))
    if not ids:
        messages.info(request, "There are no tasks to change.")
    else:
        action = "complete" if completed else "reopen"
        text = (
            f"Marked {_plural(len(ids), 'task')} as done."
            if completed
            else (f"Reopened {_plural(len(ids), 'task')}.")
        )
        messages.success(
            request,
            text,
            extra_tags=undo_offer(request, action=action, ids=ids, state=state.params),
        )
    return redirect(state.list_url)


UNDONE = {
    "delete": "Restored {}.",
    "archive": "Restored {} from the archive.",
    "complete": "Undone: {} open again.",
    "reopen": "Undone: {} done again.",
}


@login_required
@require_POST
def task_undo(request):
    """Reverse a delete or bulk change offered in a message (tasks/undo.py)."""
    record = undo_take(request, request.POST.get("token", ""))
    if record is None:
        messages.info(request, "That can no longer be undone.")
        return redirect(_state(request).list_url)
    action, ids = record["action"], record["ids"]
    if action == "delete":
        changed = services.task_restore_trashed(owner=request.user, ids=ids)
    elif action == "archive":
        changed = services.task_restore_archived(owner=request.user, ids=ids)
    else:
        changed = services.task_set_completed(
            owner=request.user, ids=ids, completed=action == "reopen"
        )
    messages.success(request, UNDONE[action].format(_plural(changed, "task")))
    return redirect(ListState.from_data(record["state"]).list_url)


@login_required
def task_archive(request):
    """The user's archived tasks, read-only, newest first; each can be restored or deleted."""
    archived = ArchivedTask.objects.for_owner(request.user).order_by("-created_at", "-id")
    page_obj = Paginator(archived, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/task_archive.html",
        _context(request, ListState(), page_obj=page_obj, archived=list(page_obj.object_list)),
    )


@login_required
@require_POST
def task_restore(request, pk):
    task = services.archived_task_restore(owner=request.user, task_id=pk)
    if task is None:
        raise Http404
    messages.success(request, "Task restored to your list.")
    return redirect("tasks:archive")


@login_required
@require_http_methods(["GET", "POST"])
def archived_task_delete(request, pk):
    """GET asks to confirm; POST deletes an archived task for good (no Undo)."""
    if request.method == "POST":
        if not services.archived_task_delete(owner=request.user, task_id=pk):
            raise Http404
        messages.success(request, "Archived task deleted for good.")
        return redirect("tasks:archive")
    task = get_object_or_404(ArchivedTask.objects.for_owner(request.user), pk=pk)
    return render(
        request,
        "tasks/archived_task_confirm_delete.html",
        _context(request, ListState(), task=task),
    )


@login_required
def task_export(request):
    """All of the user's tasks as a JSON or CSV download, streamed (tasks/export.py)."""
    fmt = request.GET.get("format", "json")
    if fmt not in export.FORMATS:
        return HttpResponse(
            "Unknown export format: use ?format=json or ?format=csv.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content_type, lines = export.FORMATS[fmt]
    response = StreamingHttpResponse(lines(request.user.pk), content_type=content_type)
    filename = f"todo-tasks-{date.today().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


IMPORT_DONE_KEY = "import_done"
IMPORT_SESSION_KEY = "accounts_import"  # the session key predates the move to tasks
PREVIEW_ROWS = 20


@login_required
def task_import(request):
    """Upload an export: check it and show a preview; a second POST imports it.

    The checked rows wait in the session between the two steps, under a token
    the confirmation form must send back.
    """
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token")
        done = request.session.get(IMPORT_DONE_KEY)
        if done and token == done["token"]:
            # The confirmation sent again (double click, retry, back button): the first answer.
            messages.success(request, done["message"])
            return redirect("tasks:list")
        pending = request.session.get(IMPORT_SESSION_KEY)
        if not pending or token != pending["token"] or not _is_uuid(token):
            messages.info(request, "Nothing to import: choose the file again.")
            return redirect("task_import")
        del request.session[IMPORT_SESSION_KEY]
        # The session alone cannot stop two confirmations sent at once (both read it
        # before either saves it): the token is also spent in the database.
        if not services.submit_token_spend(
            owner=request.user, token=uuid.UUID(token), content={"import": token}
        ):
            messages.success(request, "This file was imported by your first click.")
            return redirect("tasks:list")
        message = _imported_message(import_tasks(owner=request.user, rows=pending["rows"]))
        request.session[IMPORT_DONE_KEY] = {"token": token, "message": message}
        messages.success(request, message)
        return redirect("tasks:list")
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    ctx = {"form": form, "page_name": "auth"}
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_read(upload.read(MAX_BYTES + 1), upload.name)
        if result.errors:
            form.add_error("file", "Nothing was imported: the file has the problems listed below.")
            ctx["import_errors"] = result.errors
        else:
            token = str(uuid.uuid4())  # also a one-time submit token (submit_tokens)
            request.session[IMPORT_SESSION_KEY] = {"token": token, "rows": result.rows}
            taken = ids_in_use([row["id"] for row in result.rows if row["id"]])
            ctx["preview"] = {
                "token": token,
                "name": upload.name,
                "rows": result.rows[:PREVIEW_ROWS],
                "total": len(result.rows),
                "more": max(len(result.rows) - PREVIEW_ROWS, 0),
                "locations": {
                    location: sum(row["location"] == location for row in result.rows)
                    for location in ("list", "archive", "trash")
                },
                "new_ids": sum(not row["id"] or row["id"] in taken for row in result.rows),
            }
    return render(request, "tasks/task_import.html", ctx)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _imported_message(counts: dict[str, int]) -> str:
    total = counts["list"] + counts["archive"] + counts["trash"]
    text = (
        f"Imported {total} task{'s' if total != 1 else ''}: {counts['list']} to your list, "
        f"{counts['archive']} to the archive, {counts['trash']} to the trash."
    )
    if counts["new_ids"]:
        text += f" {counts['new_ids']} got a new id because theirs was already in use."
    return text
