"""Keyset paging for the task list: page 200 costs what page 1 costs.

OFFSET 9,950 makes PostgreSQL read and throw away 9,950 rows (at 10 million
tasks the planner even sorted all of a heavy user's rows for it). Here a page's
links carry a cursor instead, the ordering's values of the row next to it, and
the next page is "the first 50 rows after this one", which the list's index
(tasks.models.LIST_ORDERINGS, docs/schema.md) starts reading exactly there.

The cursor is opaque in the URL (base64 of the values as JSON) and parsed back
through each model field, so anything malformed is ignored, never an error: the
view then falls back to OFFSET paging by page number, which stays correct, as
it is for a page number typed by hand.
"""

import base64
import binascii
import json

from django.core.exceptions import ValidationError
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from tasks.models import Task


def _fields(ordering: tuple[str, ...]):
    return [Task._meta.get_field(term.lstrip("-")) for term in ordering]


def supports_keyset(ordering: tuple[str, ...]) -> bool:
    """Keyset needs every term in one direction (then one index range serves it)."""
    return len({term.startswith("-") for term in ordering}) == 1


def cursor_of(task: Task, ordering: tuple[str, ...]) -> str:
    values = [str(getattr(task, field.attname)) for field in _fields(ordering)]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def parse_cursor(text: str, ordering: tuple[str, ...]) -> list | None:
    """The ordering's values in a cursor, or None when it is not one of ours."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        fields = _fields(ordering)
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        values = [field.to_python(value) for field, value in zip(fields, raw, strict=True)]
    except (ValueError, TypeError, binascii.Error, ValidationError):
        return None
    return None if any(value is None for value in values) else values


def _beyond(ordering: tuple[str, ...], values: list, *, forward: bool) -> RawSQL:
    """Rows after `values` in `ordering` (forward) or before them, as one row comparison,
    `(created_at, id) < (x, y)` for DESC: PostgreSQL uses it whole as the index
    condition where the list's index starts reading, and estimates it well (an OR of
    the same terms was estimated at a quarter of its rows and lost to a Sort)."""
    less = ordering[0].startswith("-") == forward
    table = Task._meta.db_table
    columns = ", ".join(f'"{table}"."{field.column}"' for field in _fields(ordering))
    marks = ", ".join(["%s"] * len(values))
    sql = f"({columns}) {'<' if less else '>'} ({marks})"
    return RawSQL(sql, values, output_field=BooleanField())  # noqa: S611 (columns from the model)


def keyset_rows(queryset, ordering, *, after=None, before=None, size: int) -> list:
    """Up to `size` rows following the cursor `after`, or preceding `before`, in order."""
    if after is not None:
        return list(queryset.filter(_beyond(ordering, after, forward=True))[:size])
    reverse = [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]
    rows = queryset.filter(_beyond(ordering, before, forward=False)).order_by(*reverse)[:size]
    return list(reversed(rows))
