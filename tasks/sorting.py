"""The list's sort orders: the one declaration that the list, the user's
remembered choice (users.task_sort, with its CHECK), the index catalog test
(tasks/tests/test_list_indexes.py) and `make bench` read.

Each order ends in `id` so it is total: ties never shuffle between pages. An
ascending due date puts undated tasks last (PostgreSQL's NULLS LAST for ASC,
which the index matches). Every order has an index under each tab (Task.Meta).
"""

from django.utils.translation import gettext_lazy as _

SORT_NEWEST, SORT_OLDEST, SORT_DUE, SORT_PRIORITY, SORT_TITLE = (
    "newest",
    "oldest",
    "due",
    "priority",
    "title",
)
DEFAULT_SORT = SORT_NEWEST

# name -> ORDER BY.
LIST_ORDERINGS = {
    SORT_NEWEST: ("-created_at", "-id"),
    SORT_OLDEST: ("created_at", "id"),
    SORT_DUE: ("due_date", "-created_at", "-id"),
    SORT_PRIORITY: ("-priority", "-created_at", "-id"),
    SORT_TITLE: ("title", "id"),
}
# name -> what the sort menu says.
SORT_LABELS = {
    SORT_NEWEST: _("Newest"),
    SORT_OLDEST: _("Oldest"),
    SORT_DUE: _("Due date"),
    SORT_PRIORITY: _("Priority"),
    SORT_TITLE: _("Title"),
}
SORT_NAMES = tuple(LIST_ORDERINGS)


def sort_ordering(name: str) -> tuple:
    """The ORDER BY of sort `name`; the default's for an unknown name."""
    return LIST_ORDERINGS.get(name, LIST_ORDERINGS[DEFAULT_SORT])
