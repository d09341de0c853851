"""The keyset cursor's spelling (tasks/paging.py): short, one spelling per row,
and anything else ignored.

Every link and form of a list page repeats the cursor, so its length is paid
on every row; and it comes back from the URL, so whatever a user puts there
must parse to None, never to an error (the view then uses the page number).
"""

import base64
import datetime
import itertools
import json
import uuid

import pytest
from django.urls import reverse

from tasks.list_state import ListState
from tasks.models import STATUSES, Task, list_ordering
from tasks.paging import cursor_of, encode_cursor, parse_cursor
from tasks.sorting import LIST_ORDERINGS, SORT_NAMES

ORDERINGS = sorted(
    {list_ordering(tab, sort) for tab, sort in itertools.product(STATUSES, SORT_NAMES)}
)
ID = uuid.UUID("0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9")
AT = datetime.datetime(2026, 11, 26, 15, 9, 52, 856581, tzinfo=datetime.UTC)
TASKS = {
    "dated": Task(
        id=ID, title="Buy milk", created_at=AT, due_date=datetime.date(2026, 12, 1), priority=3
    ),
    "undated": Task(id=ID, title="Buy milk", created_at=AT, due_date=None, priority=0),
    "unicode title": Task(id=ID, title="Café ☕ « déjà »", created_at=AT, priority=1),
    "longest title": Task(id=ID, title="é" * 200, created_at=AT, priority=2),
    "before 1970": Task(
        id=uuid.UUID(int=0),
        title="x",
        created_at=datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
        due_date=datetime.date(1, 1, 1),
    ),
}


def _values(task, ordering):
    return [getattr(task, term.lstrip("-")) for term in ordering]


@pytest.mark.parametrize("ordering", ORDERINGS, ids="/".join)
@pytest.mark.parametrize("task", TASKS.values(), ids=TASKS.keys())
def test_a_cursor_gives_back_its_rows_values_in_every_list_ordering(ordering, task):
    assert parse_cursor(cursor_of(task, ordering), ordering) == _values(task, ordering)


@pytest.mark.parametrize("ordering", ORDERINGS, ids="/".join)
@pytest.mark.parametrize("task", [TASKS["dated"], TASKS["undated"]], ids=["dated", "undated"])
def test_the_list_state_carries_a_cursor_as_it_is(ordering, task):
    cursor = cursor_of(task, ordering)
    for key in ("after", "before"):
        state = ListState.from_data({"page": "2", key: cursor})

        assert state.cursor == (key, cursor)
        assert f"{key}={cursor}" in state.query


@pytest.mark.parametrize("sort", SORT_NAMES)
def test_a_cursor_is_less_than_half_as_long_as_base64_of_json(sort):
    ordering = LIST_ORDERINGS[sort]
    task = TASKS["dated"]
    text = json.dumps([str(value) for value in _values(task, ordering)])
    old = base64.urlsafe_b64encode(text.encode()).rstrip(b"=")

    assert len(cursor_of(task, ordering)) < len(old) / 2
    # Newest first, the default: 33 characters (it was 94).
    assert len(cursor_of(task, LIST_ORDERINGS["newest"])) == 33


NEWEST = LIST_ORDERINGS["newest"]
GOOD = cursor_of(TASKS["dated"], NEWEST)
AT_36, ID_64 = GOOD.split(".")
OLD_STYLE = base64.urlsafe_b64encode(json.dumps([str(AT), str(ID)]).encode()).decode().rstrip("=")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


WITH_NUL, NOT_UTF8 = _b64(b"a\x00b"), _b64(b"\xff\xfe")


@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        (NEWEST, ""),
        (NEWEST, "."),
        (NEWEST, ".."),
        (NEWEST, AT_36),  # too few values
        (NEWEST, f"{GOOD}.{ID_64}"),  # too many
        (NEWEST, f".{ID_64}"),  # NULL where the column cannot be
        (NEWEST, f"{AT_36}."),
        (NEWEST, OLD_STYLE),  # the former spelling: the page number serves
        (NEWEST, f"0{GOOD}"),  # a leading zero: the same value, not our spelling
        (NEWEST, f"+{GOOD}"),
        (NEWEST, f"{AT_36[:3]}_{AT_36[3:]}.{ID_64}"),  # int() would read "1_0"
        (NEWEST, f"{AT_36.upper()}.{ID_64}"),  # int() would read upper case
        (NEWEST, f"{AT_36}.{ID_64[:-1]}B"),  # base64's spare bits set
        (NEWEST, f"{AT_36}.{ID_64[:-1]}"),  # 15 bytes and a half
        (NEWEST, f"{AT_36}.{ID_64}AA"),  # 17 bytes
        (NEWEST, f"{'z' * 12}.{ID_64}"),  # past the year 9999
        (NEWEST, f"{'z' * 40}.{ID_64}"),
        (NEWEST, f"-{'z' * 12}.{ID_64}"),  # before the year 1
        (LIST_ORDERINGS["due"], f"0.{GOOD}"),  # day 0 does not exist
        (LIST_ORDERINGS["due"], f"{'z' * 12}.{GOOD}"),
        (LIST_ORDERINGS["due"], f"-1.{GOOD}"),
        (LIST_ORDERINGS["priority"], f"9.{GOOD}"),  # not a priority
        (LIST_ORDERINGS["priority"], f"{'z' * 13}.{GOOD}"),  # nor an integer PostgreSQL holds
        (LIST_ORDERINGS["priority"], f".{GOOD}"),
        (LIST_ORDERINGS["title"], f".{ID_64}"),  # an empty title
        (LIST_ORDERINGS["title"], f"{_b64(b'a' * 201)}.{ID_64}"),  # longer than a title
        (LIST_ORDERINGS["title"], f"{WITH_NUL}.{ID_64}"),  # PostgreSQL refuses NUL
        (LIST_ORDERINGS["title"], f"{NOT_UTF8}.{ID_64}"),  # not UTF-8
        (LIST_ORDERINGS["title"], f"{_b64(b'ab')}=.{ID_64}"),  # padding
        (LIST_ORDERINGS["title"], f"a!b.{ID_64}"),
        (NEWEST, "not-a-cursor"),
    ],
)
def test_a_cursor_that_is_not_one_of_ours_parses_to_none(ordering, cursor):
    assert parse_cursor(cursor, ordering) is None


def test_the_spelling_is_the_same_for_a_row_and_for_its_values():
    # The view encodes the values it read off the index (anchor_values), and the
    # links encode rows: a page reached either way has one URL (one kept page).
    ordering = LIST_ORDERINGS["due"]
    task = TASKS["undated"]
    assert encode_cursor(_values(task, ordering)) == cursor_of(task, ordering)
    assert cursor_of(task, ordering).startswith(".")


GARBAGE = [OLD_STYLE, f"{'z' * 12}.{ID_64}", f"{'z' * 13}.{GOOD}", f"{WITH_NUL}.{ID_64}", "..", "."]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", SORT_NAMES)
@pytest.mark.parametrize("key", ["after", "before"])
def test_a_list_url_with_any_cursor_shows_the_page_by_its_number(
    alice_client, alice, make_tasks, uncached_pages, sort, key
):
    make_tasks(alice, 60)
    url = reverse("tasks:list")
    by_number = alice_client.get(url, {"sort": sort, "page": "2"})

    for cursor in GARBAGE:
        response = alice_client.get(url, {"sort": sort, "page": "2", key: cursor})

        assert response.status_code == 200, cursor
        assert response.context["tasks"] == by_number.context["tasks"], cursor
