"""Keyset paging for the task list: page 200 costs what page 1 costs.

OFFSET 9,950 makes PostgreSQL read and throw away 9,950 rows (at 10 million
tasks the planner even sorted all of a heavy user's rows for it). Here a page's
links carry a cursor instead, the ordering's values of the row next to it, and
the next page is "the first 50 rows after this one", which the list's index
(tasks.models.LIST_ORDERINGS, docs/schema.md) starts reading exactly there.

Two shapes of "after this row":
- every term in one direction and never NULL (newest, oldest, priority, title):
  one row comparison, `(created_at, id) < (x, y)`, one index range;
- a first term in the other direction or nullable (the due-date sort: due date
  ascending, undated last, then newest first): no row comparison says that, and
  an OR of the cases is a bitmap scan and a Sort of every row it finds. So the
  rows after the cursor are read as up to three index ranges in the list's
  order, one query each, stopping when the page is full: the rest of the
  cursor's due date, the later dates, then the undated tasks (`_split_ranges`).
  (A UNION ALL under one ORDER BY was sorted whole: PostgreSQL 15 does not merge
  ordered branches that carry their own WHERE.)

A page number typed by hand (`?page=200`) is found the same way from the row
before it (`anchor_values`): its position is read off the ordering's index
alone, index-only, then the page by keyset from there.

Where the planner would misjudge how many rows it must sort (a search under
row-level security, a due date shared by many tasks, a visibility map that
lags), sorting is turned off for that query (`walking_the_index`): every
ordering has an index that serves it, so the planner then walks it.

The cursor is opaque in the URL and short, since every link and form of a page
repeats it and a kept page's cost is its size (tasks/page_cache.py): the values
joined by ".", each written for its field's type (`_CODECS`): a datetime as
microseconds since the epoch in base 36, a date as its ordinal in base 36, a
uuid as the urlsafe base64 of its 16 bytes, an integer in base 36, text as the
urlsafe base64 of its UTF-8, NULL as nothing. Newest first's cursor is 33
characters (it was 94 as base64 of JSON). It is parsed back through each model
field and must be the one spelling of its values, so anything malformed or
foreign is ignored, never an error: the view then falls back to the page number.
"""

import base64
import binascii
import re
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    Field,
    IntegerField,
    Q,
    UUIDField,
)
from django.db.models.expressions import RawSQL

from tasks.models import Task


def _fields(ordering: tuple[str, ...]):
    return [Task._meta.get_field(term.lstrip("-")) for term in ordering]


def _descending(term: str) -> bool:
    return term.startswith("-")


def _one_range(ordering: tuple[str, ...]) -> bool:
    """Whether one row comparison bounds the ordering: one direction, no NULLs."""
    one_direction = len({_descending(term) for term in ordering}) == 1
    return one_direction and not any(field.null for field in _fields(ordering))


def supports_keyset(ordering: tuple[str, ...]) -> bool:
    """Keyset needs the ordering as one index range, or its first term split off
    and the rest as one (the due-date sort); every ordering of the list is either."""
    return _one_range(ordering) or _one_range(ordering[1:])


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE36 = re.compile(r"-?[0-9a-z]{1,13}")  # a datetime's microseconds fit in 12 digits


def _to_base36(number: int) -> str:
    digits, rest = "", abs(number)
    while True:
        rest, digit = divmod(rest, 36)
        digits = _DIGITS[digit] + digits
        if not rest:
            return ("-" if number < 0 else "") + digits


def _from_base36(text: str) -> int:
    if not _BASE36.fullmatch(text):  # int() would also take "+", "_" and spaces
        raise ValueError(text)
    return int(text, 36)


def _to_base64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _from_base64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _text_from_base64(text: str) -> str:
    value = _from_base64(text).decode()
    if "\x00" in value:  # PostgreSQL refuses it in a query: no row holds one
        raise ValueError(text)
    return value


# (a value's type, its field's type, write the value, read it back), the first
# that matches; datetime before date, its parent; anything else as text.
_CODECS = (
    (
        datetime,
        DateTimeField,
        lambda value: _to_base36((value - _EPOCH) // _MICROSECOND),
        lambda text: _EPOCH + _from_base36(text) * _MICROSECOND,
    ),
    (
        date,
        DateField,
        lambda value: _to_base36(value.toordinal()),
        lambda text: date.fromordinal(_from_base36(text)),
    ),
    (
        uuid.UUID,
        UUIDField,
        lambda value: _to_base64(value.bytes),
        lambda text: uuid.UUID(bytes=_from_base64(text)),
    ),
    (int, IntegerField, _to_base36, _from_base36),
    (object, Field, lambda value: _to_base64(str(value).encode()), _text_from_base64),
)


def cursor_of(task: Task, ordering: tuple[str, ...]) -> str:
    return encode_cursor([getattr(task, field.attname) for field in _fields(ordering)])


def encode_cursor(values: list) -> str:
    """A row's values in an ordering (as `cursor_of` a task), as a cursor."""
    return ".".join("" if value is None else _write(value) for value in values)


def _write(value) -> str:
    return next(codec[2] for codec in _CODECS if isinstance(value, codec[0]))(value)


def _read(field, text: str):
    if text == "" and field.null:
        return None
    value = next(codec[3] for codec in _CODECS if isinstance(field, codec[1]))(text)
    return field.clean(value, None)


def parse_cursor(text: str, ordering: tuple[str, ...]) -> list | None:
    """The ordering's values in a cursor, or None when it is not one of ours."""
    fields = _fields(ordering)
    parts = text.split(".")
    if len(parts) != len(fields):
        return None
    try:
        values = [_read(field, part) for field, part in zip(fields, parts, strict=True)]
    except (ValueError, TypeError, OverflowError, binascii.Error, ValidationError):
        return None
    # One spelling per row: what would not be written so (leading zeros, spare
    # bits of base64, a value the field cleans into another) is not ours.
    return values if encode_cursor(values) == text else None


def _beyond(ordering: tuple[str, ...], values: list, *, forward: bool) -> RawSQL:
    """Rows after `values` in `ordering` (forward) or before them, as one row comparison,
    `(created_at, id) < (x, y)` for DESC: PostgreSQL uses it whole as the index
    condition where the list's index starts reading, and estimates it well (an OR of
    the same terms was estimated at a quarter of its rows and lost to a Sort)."""
    less = _descending(ordering[0]) == forward
    table = Task._meta.db_table
    columns = ", ".join(f'"{table}"."{field.column}"' for field in _fields(ordering))
    marks = ", ".join(["%s"] * len(values))
    sql = f"({columns}) {'<' if less else '>'} ({marks})"
    return RawSQL(sql, values, output_field=BooleanField())  # noqa: S611 (columns from the model)


def _split_ranges(ordering: tuple[str, ...], values: list) -> list[Q]:
    """The rows after `values` in `ordering` as index ranges, in the order they follow,
    for an ordering whose first term is nullable or runs the other way.

    The first column sorts ascending NULLS LAST or descending NULLS FIRST, as
    PostgreSQL's defaults and the indexes have it: ascending, greater values
    follow and the NULL group comes last; descending, smaller values follow and
    the NULL group came first.
    """
    first, value = ordering[0].lstrip("-"), values[0]
    same = _beyond(ordering[1:], values[1:], forward=True)
    ascending = not _descending(ordering[0])
    if value is None:
        ranges = [Q(**{f"{first}__isnull": True}) & same]
        return ranges if ascending else [*ranges, Q(**{f"{first}__isnull": False})]
    later = Q(**{f"{first}__gt" if ascending else f"{first}__lt": value})
    ranges = [Q(**{first: value}) & same, later]
    return [*ranges, Q(**{f"{first}__isnull": True})] if ascending else ranges


@contextmanager
def walking_the_index(active: bool = True):
    """Within it, a list query reads its rows off the ordering's index, filtering
    them, instead of finding them all and sorting them (`enable_sort` off for the
    transaction, then put back). Used where the planner misjudges how many rows
    it would sort: a search, a typed page's position, the due-date ranges.

    For a search: PostgreSQL cannot estimate how many rows `UPPER(title) LIKE …`
    matches under row-level security (LIKE is not leakproof, so the planner may
    not read the column's statistics) and assumes almost none, so it fetched
    every row of the user and sorted the matches, 967 of them for a common word
    at 10 million tasks. Walking the index stops after the page's 50 matches
    (the list walks only when its count says there are more than a page).
    Every ordering of every tab has an index that serves it
    (tasks/tests/test_list_indexes.py), so there is always such a walk.
    """
    if not active:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)"
        )
        before = cursor.fetchone()[0]
    yield
    # Not in a `finally`: after an error the transaction is rolled back, setting included.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_sort', %s, true)", [before])


def keyset_rows(queryset, ordering, *, after=None, before=None, size: int) -> list:
    """Up to `size` rows following the cursor `after`, or preceding `before`, in order."""
    forward = after is not None
    values = after if forward else before
    if not forward:
        ordering = tuple(term[1:] if _descending(term) else f"-{term}" for term in ordering)
        queryset = queryset.order_by(*ordering)
    if _one_range(ordering):
        rows = list(queryset.filter(_beyond(ordering, values, forward=True))[:size])
    else:
        # In the (possibly reversed) ordering, "before" is "after": forward from here on.
        # Sorting off: the cursor's date looks small to the planner, which then
        # sorts all of that date's rows, however many share it.
        rows = []
        with walking_the_index():
            for condition in _split_ranges(ordering, values):
                rows += queryset.filter(condition)[: size - len(rows)]
                if len(rows) == size:
                    break
    return rows if forward else rows[::-1]


def anchor_values(queryset, ordering, *, position: int) -> list | None:
    """The ordering's values of the row at `position` (0-based), or None past the end.

    Only the ordering's columns are selected, so PostgreSQL reads them off the
    ordering's index alone (an index-only scan over this user's entries), never
    the table's rows nor a Sort of them, as OFFSET on the whole rows did. Sorting
    is off for it: where the visibility map lags (rows just written, before
    autovacuum) the planner would otherwise sort all of the user's rows again.
    """
    names = [field.attname for field in _fields(ordering)]
    with walking_the_index():
        found = list(queryset.values_list(*names)[position : position + 1])
    return list(found[0]) if found else None
