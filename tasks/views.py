"""The task pages. Every query goes through `Task.objects.for_owner(request.user)`.

Each page knows where in the list it came from (tab, search, page): a
`ListState` (tasks/list_state.py) read from GET or POST, handed to the template
as `state` for its links and hidden fields.

Write last: a view that changes tasks works out what its response needs (the
list state, the URL to go back to) before the write. From the write to COMMIT
one of the user's `task_counts` rows stays locked (the counts trigger,
docs/schema.md), so another write of the same user that drew the same slot
waits for whatever runs in between.
"""

import uuid
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, ngettext, ngettext_lazy, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import clock
from core.errors import error_response
from core.user_locale import user_time_zone
from tasks import export, page_cache, quickadd, services
from tasks.forms import ImportForm, QuickAddForm, TaskCreateForm, TaskRenameForm, TaskUpdateForm
from tasks.imports import MAX_BYTES, ids_in_use, import_read, import_tasks
from tasks.list_state import ListState, clean_text
from tasks.models import (
    EDITABLE_COLUMNS,
    PRIORITY_CHOICES,
    STATUS_ACTIVE,
    STATUS_ALL,
    STATUS_COMPLETED,
    STATUS_TODAY,
    STATUS_UPCOMING,
    ArchivedTask,
    Task,
    TaskCounts,
    list_ordering,
)
from tasks.paging import (
    anchor_values,
    cursor_of,
    encode_cursor,
    keyset_rows,
    parse_cursor,
    supports_keyset,
    walking_the_index,
)
from tasks.sorting import SORT_LABELS
from tasks.undo import undo_offer, undo_take

PAGE_SIZE = 50
# Upcoming shows one group per day this far ahead, then one "Later" group.
UPCOMING_DAYS = 14
TABS = (
    (STATUS_ALL, _("All")),
    (STATUS_ACTIVE, _("Active")),
    (STATUS_COMPLETED, _("Completed")),
    (STATUS_TODAY, _("Today")),
    (STATUS_UPCOMING, _("Upcoming")),
)


def _state(request) -> ListState:
    """The list state the request carries: posted with a form, else in the query string."""
    return ListState.from_data(request.POST if request.method == "POST" else request.GET)


def _back_url(request, state: ListState, pk) -> str:
    """Where an action on one task returns: its own page when posted from there, else the list."""
    if request.POST.get("from") == "detail":
        return state.url(reverse("tasks:detail", args=[pk]))
    return state.list_url


def _context(request, state: ListState, **extra) -> dict:
    """What every task page's template gets. A page repeats the state's hidden fields
    and the CSRF token in several forms: the state makes its fields once, and the
    token is resolved here once rather than lazily in each (bench/profile.py)."""
    return {"page_name": "tasks", "state": state, "csrf_token": get_token(request), **extra}


def _list_page(paginator: Paginator, state: ListState, ordering) -> tuple[Page, dict]:
    """The page the state asks for, and the cursor that served it (else `{}`).

    By keyset when the state's cursor is valid for its page; a page number
    alone (typed, or a cursor not ours) by keyset after the row before the page,
    found off the ordering's index (tasks/paging.py): the same cost on every page,
    and no Sort. An out-of-range number shows the last page.
    """
    try:
        number = paginator.validate_number(state.page)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    if number == 1 or not supports_keyset(ordering):
        return paginator.page(number), {}
    shown = paginator.object_list
    cursor = state.cursor
    if cursor and number == state.page:
        key, raw = cursor
        values = parse_cursor(raw, ordering)
        if values is not None:
            rows = keyset_rows(shown, ordering, size=PAGE_SIZE, **{key: values})
            if rows:
                return Page(rows, number, paginator), {key: raw}
    before = anchor_values(shown, ordering, position=(number - 1) * PAGE_SIZE - 1)
    rows = keyset_rows(shown, ordering, after=before, size=PAGE_SIZE) if before else []
    if not rows:
        # Rows deleted since the count: the page by number, as it is now.
        return paginator.page(number), {}
    # The page's forms come back to these rows by this cursor.
    return Page(rows, number, paginator), {"after": encode_cursor(before)}


def _get_task(request, pk) -> Task:
    """The signed-in user's task, or 404: another user's and a missing task look the same."""
    return get_object_or_404(Task.objects.for_owner(request.user), pk=pk)


def _day_label(day, today) -> str:
    """ "Today", "Tomorrow" or the localized date, with the year only when it is not this one."""
    return _day_label_in(day, today, get_language())


@lru_cache(maxsize=4096)
def _day_label_in(day, today, language) -> str:
    # Cached: a list page labels up to 50 rows, and formatting a date in the
    # active language took about 0.1 ms each (bench/profile.py); the label
    # depends only on these three values.
    if day == today:
        return gettext("Today")
    if day == today + timedelta(days=1):
        return gettext("Tomorrow")
    # Translatable formats: French abbreviates months as "nov.", not "Nov".
    if day.year == today.year:
        return formats.date_format(day, pgettext("short date format", "D j M"))
    return formats.date_format(day, pgettext("short date format with year", "D j M Y"))


def _upcoming_groups(tasks: list[Task], today) -> list[dict]:
    """Upcoming tasks (ordered by due date) under one heading per day, then "Later"."""
    last_day = today + timedelta(days=UPCOMING_DAYS)
    groups: list[dict] = []
    for task in tasks:
        if task.due_date <= last_day:
            key, label = task.due_date, _day_label(task.due_date, today)
        else:
            key, label = "later", gettext("Later")
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "label": label, "tasks": []})
        groups[-1]["tasks"].append(task)
    return groups


def _due_labels(tasks: list[Task], today) -> None:
    """Give each task its due chip's text and whether it is overdue (for the template)."""
    for task in tasks:
        task.due_label = _day_label(task.due_date, today) if task.due_date else ""
        task.is_overdue = bool(task.due_date and task.due_date < today and not task.completed)


def _shown_counts(counts: dict[str, int], status: str) -> dict[str, int]:
    """Counts of the tab's tasks by status, derived from `counts` of its whole search."""
    if status == STATUS_ALL:
        return counts
    n = counts[status]
    # Today and Upcoming hold open tasks only.
    return {
        STATUS_ALL: n,
        STATUS_ACTIVE: 0 if status == STATUS_COMPLETED else n,
        STATUS_COMPLETED: n if status == STATUS_COMPLETED else 0,
    }


def _shown(request, state: ListState):
    """The tasks the list shows for `state`: its tab and search, every page."""
    return Task.objects.for_owner(request.user).with_status(state.status).search(state.q)


def _bulk_actions(shown: dict[str, int]) -> dict[str, str]:
    """Labels of the bulk buttons that would change something among the shown tasks."""
    actions = {}
    active, completed = shown[STATUS_ACTIVE], shown[STATUS_COMPLETED]
    if active:
        actions["complete"] = ngettext(
            "Mark %(count)d shown task as done", "Mark %(count)d shown tasks as done", active
        ) % {"count": active}
    elif completed:
        actions["complete"] = ngettext(
            "Reopen %(count)d shown task", "Reopen %(count)d shown tasks", completed
        ) % {"count": completed}
    if completed:
        actions["clear"] = ngettext(
            "Clear %(count)d shown completed task",
            "Clear %(count)d shown completed tasks",
            completed,
        ) % {"count": completed}
    return actions


@login_required
@require_http_methods(["GET", "POST"])
def task_list(request):
    """The list; a POST is the quick-add form (an empty title stays here with its message)."""
    state = ListState.from_data(request.GET)
    form = _quick_add_form(request.POST or None, focus=request.method == "POST")
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
    return page_cache.serve(
        request, state.query, lambda csrf, submit: _render_list(request, state, form, csrf, submit)
    )


def _quick_add_form(data=None, *, focus: bool = False) -> QuickAddForm:
    """The quick-add form, reading dates in the user's time zone and language."""
    return QuickAddForm(data, today=clock.today(), language=get_language(), focus=focus)


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
        messages.success(request, gettext("Task added."), extra_tags="added")
        return redirect(state.list_url)
    task = services.task_create(owner=request.user, **form.content())
    shown = _shown(request, state).filter(pk=task.pk).exists()
    understood = form.understood
    if understood and understood.found_anything:
        # Without JavaScript there was no preview: say what was read, and where to fix it.
        text = gettext("Task added: “%(title)s”, %(understood)s.") % {
            "title": task.title,
            "understood": _understood_summary(understood, clock.today()),
        }
        link_url, link_text = state.url(reverse("tasks:update", args=[task.pk])), _("Edit")
    else:
        text, link_url, link_text = gettext("Task added."), None, None
    if not shown:
        # Added on the Completed tab, during a search or outside Today: say where it went.
        if link_url:
            text = f"{text} {gettext('It is not shown here.')}"
        else:
            text = gettext("Task added to Active tasks; it is not shown here.")
        link_url, link_text = reverse("tasks:detail", args=[task.pk]), _("Show it")
    if link_url:
        messages.success(
            request,
            format_html('{} <a href="{}">{}</a>', text, link_url, link_text),
            extra_tags="added",
        )
    else:
        messages.success(request, text, extra_tags="added")
    return redirect(state.list_url)


class _CountedPaginator(Paginator):
    """A Paginator given the total it would otherwise COUNT (the status counts hold it)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _render_list(request, state: ListState, form, csrf_token=None, submit_token=None):
    """The list page; `csrf_token` and `submit_token` replace the request's (page_cache)."""
    sort = state.sort or request.user.task_sort
    today = clock.today()
    tasks = Task.objects.for_owner(request.user)
    counts = TaskCounts.objects.tabs(request.user, today=today)
    ordering = list_ordering(state.status, sort)
    shown = tasks.with_status(state.status, today=today).search(state.q).order_by(*ordering)
    search_counts = counts
    if state.q:
        # One more aggregate gives the search's counts (and the pages' total), and
        # the ids of up to a page of matches: those are then read by key.
        search_counts, few = tasks.search(state.q).search_counts(today=today, ids_up_to=PAGE_SIZE)
        if few is not None:
            shown = shown.filter(pk__in=few)
    shown_counts = _shown_counts(search_counts, state.status)
    paginator = _CountedPaginator(shown, PAGE_SIZE, count=shown_counts[STATUS_ALL])
    # A search with more matches than a page walks the ordering's index (the
    # planner under RLS would sort them all); up to a page, sorting them is cheaper.
    with walking_the_index(active=bool(state.q) and paginator.count > PAGE_SIZE):
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
            "status": tab,
            "label": label,
            "count": counts[tab],
            "url": state.with_status(tab).list_url,
            "current": tab == state.status,
        }
        for tab, label in TABS
    ]
    if not form.is_bound and any(m.extra_tags == "added" for m in messages.get_messages(request)):
        # Right after an add (without JavaScript), the field is ready for the next one.
        form = _quick_add_form(focus=True)
    if submit_token is not None:
        form.initial["submit_token"] = submit_token
    _due_labels(rows, today)
    ctx = _context(
        request,
        state,
        sort=sort,
        sorts=list(SORT_LABELS.items()),
        # The sort form posts the tab and search; a new order starts at page 1.
        sort_state=state.with_sort(""),
        counts=counts,
        tabs=tabs,
        page_obj=page_obj,
        tasks=rows,
        groups=_upcoming_groups(rows, today) if state.status == STATUS_UPCOMING else None,
        form=form,
        bulk=_bulk_actions(shown_counts),
        previous_url=previous_url,
        next_url=next_url,
        clear_search_url=state.without_search().list_url,
    )
    if csrf_token is not None:
        ctx["csrf_token"] = csrf_token
    return render(request, "tasks/task_list.html", ctx)


@login_required
@require_POST
def task_sort(request):
    """Remember the chosen sort for the user, then show the list sorted so (in the URL too)."""
    state = ListState.from_data(request.POST).first_page()
    if state.sort and state.sort != request.user.task_sort:
        request.user.task_sort = state.sort
        request.user.save(update_fields=["task_sort", "updated_at"])
    return redirect(state.list_url)


def _understood_summary(result: quickadd.QuickAdd, today) -> str:
    """What quick add read, in words: "due Fri 27 Nov, priority High"."""
    parts = []
    if result.due_date:
        parts.append(gettext("due %(day)s") % {"day": _day_label(result.due_date, today)})
    if result.priority:
        parts.append(
            gettext("priority %(priority)s") % {"priority": dict(PRIORITY_CHOICES)[result.priority]}
        )
    return ", ".join(parts)


@login_required
@require_GET
def task_quick_add_preview(request):
    """What the quick-add field would save, for the live preview chip (JSON; nothing is saved)."""
    today = clock.today()
    typed = clean_text(request.GET.get("title", ""), 1000)
    result = quickadd.parse(typed, today=today, language=get_language())
    summary = _understood_summary(result, today)
    chip = gettext("“%(title)s”: %(summary)s") % {"title": result.title, "summary": summary}
    return JsonResponse(
        {
            "title": result.title,
            "due_date": result.due_date.isoformat() if result.due_date else None,
            "priority": result.priority,
            "summary": summary,
            # The chip's whole text, empty when nothing was read off the title.
            "chip": chip if summary else "",
        }
    )


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
        messages.success(request, gettext("Task added."))
        return redirect(state.list_url)
    return render(request, "tasks/task_form.html", _context(request, state, form=form, task=None))


@login_required
def task_detail(request, pk):
    task = _get_task(request, pk)
    is_overdue = bool(task.due_date and not task.completed and task.due_date < clock.today())
    ctx = _context(request, _state(request), task=task, is_overdue=is_overdue)
    return render(request, "tasks/task_detail.html", ctx)


def _as_text(value) -> str:
    """A field's value as the conflict table shows it."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return "" if value is None else str(value)


def _conflict_rows(form, current: Task) -> list[dict]:
    """Each edited field: its label, the value saved now and the one the user typed."""
    return [
        {
            "label": form[name].label,
            "saved": _as_text(getattr(current, name)),
            "yours": _as_text(form.cleaned_data[name]),
        }
        for name in EDITABLE_COLUMNS
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
    if request.method == "POST":
        return _task_update_post(request, pk, state)
    task = _get_task(request, pk)
    return render(
        request,
        "tasks/task_form.html",
        _context(request, state, form=TaskUpdateForm.of(task), task=task),
    )


def _task_update_post(request, pk, state):
    """Save an edit without reading the task first: the conditional UPDATE is the
    check (the owner's task, at the version read), and the task is read only when
    the page must be shown again (a form error, a newer version, no such task)."""
    form = TaskUpdateForm(request.POST)
    if not form.is_valid():
        task = Task.objects.for_owner(request.user).filter(pk=pk).first()
        if task is None:
            return _task_gone(request, state, form)
        return render(
            request, "tasks/task_form.html", _context(request, state, form=form, task=task)
        )
    try:
        services.task_update(owner=request.user, task_id=pk, **form.cleaned_data)
    except services.TaskGone:
        return _task_gone(request, state, form)
    except services.TaskChanged as changed:
        current = changed.current
        conflict = _conflict_rows(form, current)
        form = TaskUpdateForm(form.data_with_version(current.updated_at))
        ctx = _context(request, state, form=form, task=current, conflict=conflict)
        return render(request, "tasks/task_form.html", ctx, status=409)
    messages.success(request, gettext("Task saved."))
    return redirect(state.list_url)


@login_required
@require_POST
def task_toggle(request, pk):
    """Flip completion, or, when the form says which state it wants (`completed`), set it."""
    desired = request.POST.get("completed")
    if desired not in (None, "true", "false"):
        return error_response(request, 400)
    back = _back_url(request, _state(request), pk)  # before the write (write last)
    completed = services.task_toggle(
        owner=request.user,
        task_id=pk,
        completed=None if desired is None else desired == "true",
    )
    if completed is None:
        raise Http404
    messages.success(
        request, gettext("Task marked as done.") if completed else gettext("Task reopened.")
    )
    return redirect(back)


@login_required
@require_POST
def task_rename(request, pk):
    """The list's inline title edit (JavaScript only); errors come back as a message.

    Like the edit page, it carries the version it was read at: a rename over a
    newer title says what is saved and what was typed, and saves neither over the other.
    """
    task = _get_task(request, pk)
    form = TaskRenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        title = form.cleaned_data["title"]
        try:
            services.task_rename(task=task, title=title, version=form.cleaned_data["version"])
        except services.TaskGone:
            messages.error(
                request,
                gettext("That task no longer exists; “%(title)s” was not saved.")
                % {"title": title},
            )
        except services.TaskChanged as changed:
            messages.error(
                request,
                gettext(
                    "The task changed after you started editing it: it is now “%(current)s”. "
                    "Your title “%(title)s” was not saved; edit it again to keep yours."
                )
                % {"current": changed.current.title, "title": title},
            )
        else:
            messages.success(request, gettext("Title saved."))
    return redirect(_state(request).list_url)


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request, pk):
    """GET asks to confirm; POST moves the task to the trash, with Undo in the message."""
    if request.method == "POST":
        state = _state(request)  # before the write (write last)
        if not services.task_delete(owner=request.user, task_id=pk):
            raise Http404
        undo = undo_offer(request, action="delete", ids=[pk], state=state.params)
        messages.success(request, gettext("Task deleted."), extra_tags=undo)
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
            n = len(archived)
            text = ngettext(
                "Archived %(count)d completed task.", "Archived %(count)d completed tasks.", n
            ) % {"count": n}
            messages.success(request, text, extra_tags=undo)
        else:
            messages.info(request, gettext("There were no completed tasks to clear."))
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
        messages.info(request, gettext("There are no tasks to change."))
    else:
        action = "complete" if completed else "reopen"
        n = len(ids)
        if completed:
            text = ngettext(
                "Marked %(count)d task as done.", "Marked %(count)d tasks as done.", n
            ) % {"count": n}
        else:
            text = ngettext("Reopened %(count)d task.", "Reopened %(count)d tasks.", n) % {
                "count": n
            }
        messages.success(
            request,
            text,
            extra_tags=undo_offer(request, action=action, ids=ids, state=state.params),
        )
    return redirect(state.list_url)


UNDONE = {
    "delete": ngettext_lazy("Restored %(count)d task.", "Restored %(count)d tasks.", "count"),
    "archive": ngettext_lazy(
        "Restored %(count)d task from the archive.",
        "Restored %(count)d tasks from the archive.",
        "count",
    ),
    "complete": ngettext_lazy(
        "Undone: %(count)d task open again.", "Undone: %(count)d tasks open again.", "count"
    ),
    "reopen": ngettext_lazy(
        "Undone: %(count)d task done again.", "Undone: %(count)d tasks done again.", "count"
    ),
}


@login_required
@require_POST
def task_undo(request):
    """Reverse a delete or bulk change offered in a message (tasks/undo.py)."""
    record = undo_take(request, request.POST.get("token", ""))
    if record is None:
        messages.info(request, gettext("That can no longer be undone."))
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
    messages.success(request, UNDONE[action] % {"count": changed})
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
    messages.success(request, gettext("Task restored to your list."))
    return redirect("tasks:archive")


@login_required
@require_http_methods(["GET", "POST"])
def archived_task_delete(request, pk):
    """GET asks to confirm; POST deletes an archived task for good (no Undo)."""
    if request.method == "POST":
        if not services.archived_task_delete(owner=request.user, task_id=pk):
            raise Http404
        messages.success(request, gettext("Archived task deleted for good."))
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
            gettext("Unknown export format: use ?format=json or ?format=csv."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content_type, lines = export.FORMATS[fmt]
    # The body is produced after the middleware has reset the time zone: pass it along.
    tz = user_time_zone(request.user)
    response = StreamingHttpResponse(lines(request.user.pk, tz), content_type=content_type)
    filename = f"todo-tasks-{clock.today(tz).isoformat()}.{fmt}"
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
            messages.info(request, gettext("Nothing to import: choose the file again."))
            return redirect("task_import")
        del request.session[IMPORT_SESSION_KEY]
        # The session alone cannot stop two confirmations sent at once (both read it
        # before either saves it): the token is also spent in the database.
        if not services.submit_token_spend(
            owner=request.user, token=uuid.UUID(token), content={"import": token}
        ):
            messages.success(request, gettext("This file was imported by your first click."))
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
            form.add_error(
                "file", gettext("Nothing was imported: the file has the problems listed below.")
            )
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
    text = ngettext(
        "Imported %(total)d task: %(list)d to your list, %(archive)d to the archive, "
        "%(trash)d to the trash.",
        "Imported %(total)d tasks: %(list)d to your list, %(archive)d to the archive, "
        "%(trash)d to the trash.",
        total,
    ) % {"total": total, **counts}
    if counts["new_ids"]:
        text += " " + ngettext(
            "%(count)d got a new id because theirs was already in use.",
            "%(count)d got a new id because theirs was already in use.",
            counts["new_ids"],
        ) % {"count": counts["new_ids"]}
    return text
