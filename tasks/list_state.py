"""Where in the task list a page came from: its tab, sort, search and page (with its cursor).

Every task page remembers it as query parameters, and its forms post it back as
hidden fields, so every action returns to the same place in the list. It is
rebuilt from a whitelist (`ListState.from_data`), never taken as a URL, so it
cannot redirect anywhere else. A new list parameter (a sort order, say) is one
more field here.
"""

import re
from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse
from django.utils.html import format_html_join

from tasks.models import STATUS_ALL, STATUSES
from tasks.sorting import SORT_NAMES

SEARCH_MAX_LENGTH = 200
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")
_CURSOR = re.compile(r"[A-Za-z0-9_.-]{1,400}")
CURSOR_KEYS = ("after", "before")


_list_paths: dict[str, str] = {}


def _list_path() -> str:
    """The list's path, reversed once per script prefix: a list page builds a dozen
    state URLs (tabs, pages, forms), and each `reverse` costs tens of microseconds."""
    prefix = get_script_prefix()
    if prefix not in _list_paths:
        _list_paths[prefix] = reverse("tasks:list")
    return _list_paths[prefix]


def clean_text(value, max_length: int = SEARCH_MAX_LENGTH) -> str:
    """Text from a query parameter: PostgreSQL refuses NUL characters, so they are dropped."""
    return str(value).replace("\x00", "")[:max_length]


@dataclass(frozen=True)
class ListState:
    """The list's tab (`status`), sort, search (`q`) and page number.

    `sort` empty means the user's remembered order (users.task_sort); a sort in
    the URL is kept even when it is that one, so a link says what it shows.

    A page after the first may carry a cursor, `after` or `before` a row
    (tasks/paging.py), so that page is found by keyset; it is checked in full
    only when used. Read-only: the `with_*` methods return a new state, and the
    URL and hidden fields, made once per state, are shared by every row of a page.
    """

    status: str = STATUS_ALL
    sort: str = ""
    q: str = ""
    page: int = 1
    after: str = ""
    before: str = ""

    @classmethod
    def from_data(cls, data) -> "ListState":
        """The state found in `data` (GET, POST, or an Undo record); unknown values fall back."""
        status = data.get("status", "")
        sort = data.get("sort", "")
        page = str(data.get("page", ""))
        state = cls(
            status=status if status in STATUSES else STATUS_ALL,
            sort=sort if sort in SORT_NAMES else "",
            q=clean_text(str(data.get("q", "")).replace("\x00", "").strip()),
            page=int(page) if _PAGE_NUMBER.fullmatch(page) and int(page) > 1 else 1,
        )
        for key in CURSOR_KEYS:  # `after` wins when both are given
            if state.page > 1 and _CURSOR.fullmatch(str(data.get(key, ""))):
                return replace(state, **{key: data[key]})
        return state

    @property
    def cursor(self) -> tuple[str, str] | None:
        """`("after", value)`, `("before", value)`, or None."""
        for key in CURSOR_KEYS:
            if getattr(self, key):
                return key, getattr(self, key)
        return None

    @cached_property
    def params(self) -> dict[str, str]:
        """The values that differ from the defaults: `{}` is the first page of all tasks."""
        params = {}
        if self.status != STATUS_ALL:
            params["status"] = self.status
        if self.sort:
            params["sort"] = self.sort
        if self.q:
            params["q"] = self.q
        if self.page > 1:
            params["page"] = str(self.page)
            if self.cursor:
                params.update([self.cursor])
        return params

    @cached_property
    def query(self) -> str:
        """The query string (without `?`), empty for the defaults."""
        return urlencode(self.params)

    def url(self, path: str | None = None) -> str:
        """`path` (the list by default) with this state as its query string."""
        path = path or _list_path()
        return f"{path}?{self.query}" if self.params else path

    @cached_property
    def list_url(self) -> str:
        return self.url()

    @cached_property
    def hidden_fields(self) -> str:
        """The state as hidden inputs, for forms that post it back."""
        return format_html_join(
            "", '<input type="hidden" name="{}" value="{}">', self.params.items()
        )

    def first_page(self) -> "ListState":
        return self.with_page(1)

    def with_page(self, number: int, cursor: dict[str, str] | None = None) -> "ListState":
        """Page `number`, found by `cursor` (`{"after": ...}` or `{"before": ...}`) if given."""
        cursor = (cursor or {}) if number > 1 else {}
        return replace(self, page=max(number, 1), **{"after": "", "before": "", **cursor})

    def with_status(self, status: str) -> "ListState":
        """Another tab with the same search, on its first page."""
        return replace(self, status=status).first_page()

    def with_sort(self, sort: str) -> "ListState":
        """Another order of the same tab and search, on its first page."""
        return replace(self, sort=sort).first_page()

    def without_search(self) -> "ListState":
        return replace(self, q="").first_page()
