"""The parts of the task list rendered once per row, with Jinja2 (tasks/jinja2/).

Why Jinja2 for these and Django's template language for every page: a list page
renders 50 rows with four URLs, two buttons and up to six translated strings each,
and the profile of that page on the 10-million-task database (bench/profile.py)
spent two thirds of the request in the rows' `{% include %}` and tags. Jinja2
compiles a template to Python, so the same rows cost a small fraction of that
(README, Performance, has the figures). The pages themselves, their layout and
the forms stay in templates/ and call these through `{% load task_rows %}`.

Each row's URLs are the names reversed once (per script prefix) with a
placeholder id, in which the row substitutes its own id: the same strings as
`{% url %}` without a trip through the URL resolver per row.
"""

import uuid
from types import SimpleNamespace

from django.template import engines
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

PLACEHOLDER = str(uuid.UUID(int=0))
ROW_URLS = ("detail", "update", "delete", "toggle", "rename")
_patterns: dict[str, SimpleNamespace] = {}


def _row_urls() -> SimpleNamespace:
    """Each per-task URL of the rows (`urls.detail`, …), with PLACEHOLDER for the
    id; reversed once per script prefix."""
    prefix = get_script_prefix()
    if prefix not in _patterns:
        _patterns[prefix] = SimpleNamespace(
            **{name: reverse(f"tasks:{name}", args=[PLACEHOLDER]) for name in ROW_URLS}
        )
    return _patterns[prefix]


def environment(**options) -> Environment:
    """The Jinja2 environment (settings.TEMPLATES): Django's translations and filters."""
    env = Environment(**options)  # noqa: S701 (the backend passes autoescape=True)
    env.install_gettext_translations(translation, newstyle=False)
    env.filters.update(truncatechars=truncatechars, linebreaksbr=linebreaksbr)
    return env


def _jinja():
    return engines["jinja2"].env


def _page_parts(state, csrf_token) -> dict:
    """What every row's links and forms repeat, computed once per page.

    `csrf_token` is the page's (its template's `csrf_token`): the list may be
    rendered with a hole in its place, filled per response (tasks/page_cache.py).
    """
    return {
        "query": f"?{state.query}" if state.query else "",
        "state_fields": state.hidden_fields,
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
        ),
        "urls": _row_urls(),
        "placeholder": PLACEHOLDER,
    }


def task_rows(state, csrf_token, tasks) -> SafeString:
    """The list's <li> rows for `tasks` (each with due_label and is_overdue set)."""
    template = _jinja().get_template("tasks/_task_rows.html")
    return mark_safe(template.render(tasks=tasks, **_page_parts(state, csrf_token)))  # noqa: S308


def _parts_of(state=None, csrf_token=None):
    """The shared macros (tasks/_task_parts.html), bound to a page's parts."""
    template = _jinja().get_template("tasks/_task_parts.html")
    context = _page_parts(state, csrf_token) if state is not None else {}
    return template.make_module(context)


def task_row_form(state, csrf_token) -> SafeString:
    """The list's one form, with the token and the list state, that every row's
    toggle and delete buttons submit (each to its own URL)."""
    return mark_safe(_parts_of(state, csrf_token).row_form())  # noqa: S308


def task_toggle(state, csrf_token, task, origin: str = "") -> SafeString:
    """The done/reopen form of one task, for its own page."""
    macros = _parts_of(state, csrf_token)
    return mark_safe(macros.toggle_form(task, str(task.pk), origin))  # noqa: S308


def task_priority(task) -> SafeString:
    """The priority marker of one task (which has a priority)."""
    return mark_safe(_parts_of().priority_marker(task))  # noqa: S308
