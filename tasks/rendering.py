"""The parts of the task list rendered once per row, with Jinja2 (tasks/jinja2/).

Why Jinja2 for these and Django's template language for every page: a list page
renders 50 rows with four URLs, two buttons and up to six translated strings each,
and the profile of that page on the 10-million-task database (bench/profile.py)
spent two thirds of the request in the rows' `{% include %}` and tags. Jinja2
compiles a template to Python, so the same rows cost a small fraction of that
(README, Performance, has the figures). The pages themselves, their layout and
the forms stay in templates/ and call these through `{% load task_rows %}`.

What is the same on every row is made here, once per script prefix and
language: the words translated; each row's URLs, reversed with a placeholder id
and split around it, and so the "… %(title)s" labels around the title and the
toggle button (rendered per state) around both; the priority markers, rendered
per priority. The rows' loop then only writes the task's own values between
these parts, escaped explicitly (the template says why autoescape is off). The
50 rows of the heavy user on the 10-million-task database (68 KB), with macro
calls, `|replace`s, `|format`s, translations and autoescape per row, took a
median 7.0 ms (5.7-11 ms, a noisy 2-core machine); so, 1.2 ms (1.2-2.6), the
same HTML byte for byte (8 interleaved runs of 200 renders of one snapshot).
50 rows as 50 one-row days of the Upcoming tab: 15.2 ms before, 5.7 ms so.
"""

import unicodedata
import uuid
from types import SimpleNamespace

from django.template import engines
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext
from jinja2 import Environment
from markupsafe import Markup, escape

from tasks.models import PRIORITY_CHOICES

# What a row puts in: its id (a UUID, as every task's) and its title.
PLACEHOLDER = str(uuid.UUID(int=0))
TITLE = str(uuid.UUID(int=1))
ROW_URLS = ("detail", "update", "delete", "toggle", "rename")
_patterns: dict[str, SimpleNamespace] = {}
_row_parts_cache: dict[tuple, dict] = {}


def _around(html: str, hole: str = PLACEHOLDER) -> tuple[Markup, ...]:
    """`html`, escaped, split at each `hole`: what a row writes around its own
    value there. Escaping works per character, so these parts with the value
    escaped between them are the escaped whole: no `|replace` or `|format` per row."""
    return tuple(escape(html).split(hole))


def _row_urls() -> SimpleNamespace:
    """Each per-task URL of the rows (`urls.detail`, …) around its id; reversed
    once per script prefix."""
    prefix = get_script_prefix()
    if prefix not in _patterns:
        _patterns[prefix] = SimpleNamespace(
            **{name: _around(reverse(f"tasks:{name}", args=[PLACEHOLDER])) for name in ROW_URLS}
        )
    return _patterns[prefix]


def _titled(label: str) -> tuple[Markup, ...]:
    """A translated "… %(title)s" label, around the title."""
    return _around(label % {"title": TITLE}, TITLE)


def _priority_label(label) -> str:
    return gettext("Priority: %(label)s") % {"label": label}


def environment(**options) -> Environment:
    """The Jinja2 environment (settings.TEMPLATES): Django's translations and filters."""
    env = Environment(**options)  # noqa: S701 (the backend passes autoescape=True)
    env.install_gettext_translations(translation, newstyle=False)
    env.filters.update(truncatechars=_truncatechars, linebreaksbr=linebreaksbr)
    return env


def _truncatechars(value, length: int):
    """Django's `truncatechars`, without its cost (a translated "…" looked up, a
    loop per character) for text that is short enough: most descriptions."""
    text = unicodedata.normalize("NFC", str(value))  # as Truncator.chars counts
    if len(text) > length:
        return truncatechars(value, length)
    return mark_safe(text) if isinstance(value, SafeData) else text  # noqa: S308


def _jinja():
    return engines["jinja2"].env


def _parts_template():
    return _jinja().get_template("tasks/_task_parts.html")


def _page_parts(state, csrf_token) -> dict:
    """What the shared macros read (tasks/_task_parts.html), once per page.

    `csrf_token` is the page's (its template's `csrf_token`): the list may be
    rendered with a hole in its place, filled per response (tasks/page_cache.py).
    """
    return {
        "state_fields": state.hidden_fields,
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
        ),
        "urls": _row_urls(),
        "done_title": gettext("Done: %(title)s"),
    }


def _toggle_buttons(macros) -> dict[bool, tuple[Markup, ...]]:
    """The list's toggle button for each state, around a row's id and title
    (which it holds once each, in that order: anything else fails here)."""
    buttons = {}
    for completed in (False, True):
        head, rest = macros.toggle_button(completed, PLACEHOLDER, TITLE, True).split(PLACEHOLDER)
        buttons[completed] = (head, *rest.split(TITLE))
    return buttons


def _row_parts() -> dict:
    """What every row repeats, all escaped: it depends only on the script prefix
    and the language, so it is made once per pair (not per call: the Upcoming
    tab renders its rows per day, up to 50 calls a page), and per version of
    _task_parts.html (Jinja2 reloads an edited one under DEBUG)."""
    parts_template = _parts_template()
    key = (get_script_prefix(), translation.get_language(), parts_template)
    if key not in _row_parts_cache:
        macros = parts_template.make_module(
            {"urls": _row_urls(), "done_title": gettext("Done: %(title)s")}
        )
        _row_parts_cache[key] = {
            "row_form_id": macros.row_form_id,
            "word_done": escape(gettext("Done")),
            "word_due": escape(gettext("Due:")),
            "word_overdue": escape(gettext("overdue")),
            "word_edit": escape(gettext("Edit")),
            "word_delete": escape(gettext("Delete")),
            "urls": _row_urls(),
            "edit_task": _titled(gettext("Edit task: %(title)s")),
            "delete_task": _titled(gettext("Delete task: %(title)s")),
            "toggles": _toggle_buttons(macros),
            # Each priority's marker, the same on every row that has it.
            "priority_markers": {
                value: macros.priority_marker(value, _priority_label(label))
                for value, label in PRIORITY_CHOICES
                if value
            },
        }
    return _row_parts_cache[key]


def task_rows(state, tasks) -> SafeString:
    """The list's <li> rows for `tasks` (each with due_label and is_overdue set)."""
    template = _jinja().get_template("tasks/_task_rows.html")
    query = escape(f"?{state.query}" if state.query else "")
    return mark_safe(template.render(tasks=tasks, query=query, **_row_parts()))  # noqa: S308


def _parts_of(state, csrf_token):
    """The shared macros (tasks/_task_parts.html), bound to a page's parts."""
    return _parts_template().make_module(_page_parts(state, csrf_token))


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
    label = _priority_label(task.get_priority_display())
    return mark_safe(_parts_template().module.priority_marker(task.priority, label))  # noqa: S308
