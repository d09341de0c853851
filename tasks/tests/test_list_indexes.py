"""Every ordering of the task list has an index that serves it, read from PostgreSQL's catalog.

The orderings come from tasks.models.LIST_ORDERINGS and the tabs' filters from
TAB_FILTERS, the declarations the views use, so a new sort order or tab fails
here until a migration adds its index. "Serves" means what lets PostgreSQL read
the first page straight off the index, with no Sort and no other user's rows: the
key starts with user_id and the tab's equality columns (in any order), then has
the ordering's columns with the same directions, or all of them reversed (read
backwards). The same index serves every other read of a page (tasks/paging.py):
keyset after a cursor (for the due-date sort, up to three ranges of it), the
position of a typed page number (index-only: the key holds every column it
selects) and a search's page (the index walked with the text as a filter).
`make bench` checks the real plans at 10 million rows.

Today and Upcoming (open tasks with a due-date range) are read by day
(`list_ordering`): their index must hold the due date right after the equality
columns, so the range is one scan in day order. Under the due and newest sorts it
serves the whole order; under the others each day's few tasks are then sorted
(an Incremental Sort per day, never a Sort of the view), which
tasks/tests/test_planning_plans.py checks in the real plans.
"""

import pytest
from django.db import connection

from tasks.models import (
    LIST_ORDERINGS,
    STATUS_TODAY,
    STATUS_UPCOMING,
    TAB_FILTERS,
    Task,
    list_ordering,
)
from tasks.sorting import SORT_DUE, SORT_NEWEST

INDEX_KEYS = """
SELECT i.indexrelid::regclass::text,
       array_agg(a.attname ORDER BY k.n),
       array_agg(i.indoption[k.n - 1] & 1 = 1 ORDER BY k.n),
       array_agg(i.indoption[k.n - 1] & 2 = 2 ORDER BY k.n)
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey[0:i.indnkeyatts - 1]) WITH ORDINALITY AS k(attnum, n)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = 'tasks'::regclass AND i.indpred IS NULL AND i.indisvalid
  AND 0 <> ALL (i.indkey[0:i.indnkeyatts - 1])
GROUP BY i.indexrelid
"""


def _column(field: str) -> tuple[str, bool]:
    """(column, descending) of an order_by() term such as "-created_at"."""
    name = field.lstrip("-")
    return Task._meta.get_field(name).column, field.startswith("-")


def _serves(key, equal: set[str], ordering: tuple[str, ...]) -> bool:
    """Whether an index key [(column, desc, nulls_first), ...] serves this filter and order.

    The filter's columns either lead the key (one range of entries per value) or
    are elsewhere in it, where PostgreSQL checks them on each index entry while
    reading in order, before visiting any row; user_id must lead.
    """
    columns = [column for column, _, _ in key]
    lead = 0
    while lead < len(columns) and columns[lead] in equal:
        lead += 1
    if "user_id" not in columns[:lead]:
        return False
    rest = key[lead : lead + len(ordering)]
    if [column for column, _, _ in rest] != [_column(f)[0] for f in ordering]:
        return False
    if not equal <= set(columns):
        return False
    # Django's DESC puts NULLs first and ASC last, PostgreSQL's defaults.
    wanted = [(_column(f)[1], _column(f)[1]) for f in ordering]
    found = [(desc, nulls_first) for _, desc, nulls_first in rest]
    backwards = [(not desc, not nulls_first) for desc, nulls_first in found]
    return wanted in (found, backwards)


def _index_keys():
    with connection.cursor() as cursor:
        cursor.execute(INDEX_KEYS)
        return {
            name: list(zip(columns, desc, nulls, strict=True))
            for name, columns, desc, nulls in cursor.fetchall()
        }


@pytest.mark.parametrize("tab", list(TAB_FILTERS))
@pytest.mark.parametrize("sort", list(LIST_ORDERINGS))
def test_every_list_ordering_under_every_tab_has_an_index_that_serves_it(db, sort, tab):
    equal = {"user_id", *(_column(f)[0] for f in TAB_FILTERS[tab])}
    serving = [
        name for name, key in _index_keys().items() if _serves(key, equal, LIST_ORDERINGS[sort])
    ]
    assert serving, f"no index serves the list sorted {sort!r} on the {tab!r} tab"


@pytest.mark.parametrize("tab", [STATUS_TODAY, STATUS_UPCOMING])
@pytest.mark.parametrize("sort", list(LIST_ORDERINGS))
def test_today_and_upcoming_read_an_index_in_day_order_in_every_sort(db, sort, tab):
    ordering = list_ordering(tab, sort)
    assert ordering[0] == "due_date"
    # By day and newest first within a day: the due and newest sorts, read whole.
    whole = sort in (SORT_DUE, SORT_NEWEST)
    served = ordering if whole else ordering[:1]
    serving = [
        name
        for name, key in _index_keys().items()
        if _serves(key, {"user_id", "completed"}, served)
    ]
    assert serving, f"no index reads the {tab!r} tab sorted {sort!r} in day order"


def test_the_check_finds_an_ordering_without_an_index(db):
    # The check can fail: nothing serves a list by description, nor newest first with
    # the tie broken the other way round (that needs a Sort of every tie).
    keys = _index_keys().values()
    assert not any(_serves(key, {"user_id"}, ("description",)) for key in keys)
    assert not any(_serves(key, {"user_id"}, ("-created_at", "id")) for key in keys)
    assert any(_serves(key, {"user_id"}, ("created_at", "id")) for key in keys)
    # Nor does an index without the tab's column serve the tab: the rows would be
    # visited to check it.
    newest = [("user_id", False, False), ("created_at", True, True), ("id", True, True)]
    assert _serves(newest, {"user_id"}, ("-created_at", "-id"))
    assert not _serves(newest, {"user_id", "completed"}, ("-created_at", "-id"))
