"""The list's sort orders: the one declaration the list, the user's remembered
choice (users.task_sort) and the index tests read.

Each order ends in `id` so it is total: ties never shuffle between pages.
"""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

SORT_NEWEST, SORT_OLDEST, SORT_DUE, SORT_PRIORITY, SORT_TITLE = (
    "newest",
    "oldest",
    "due",
    "priority",
    "title",
)
DEFAULT_SORT = SORT_NEWEST

# name -> (label, ORDER BY). The indexes serving them are on Task.Meta.
SORTS = {
    # idx_tasks_user_completed_created (spec patterns 1-2).
    SORT_NEWEST: (_("Newest"), ("-created_at", "-id")),
    # The same index, read backwards.
    SORT_OLDEST: (_("Oldest"), ("created_at", "id")),
    # Undated last. idx_tasks_user_due_open on open tasks (Active, Today, Upcoming).
    SORT_DUE: (_("Due date"), (F("due_date").asc(nulls_last=True), "-created_at", "-id")),
    # idx_tasks_user_priority.
    SORT_PRIORITY: (_("Priority"), ("-priority", "-created_at", "-id")),
    # Sorted in memory after the user_id index: at most 10,000 rows per user (spec target).
    SORT_TITLE: (_("Title"), ("title", "id")),
}
SORT_NAMES = tuple(SORTS)


def sort_ordering(name: str) -> tuple:
    """The ORDER BY of sort `name`; the default for an unknown name."""
    return SORTS.get(name, SORTS[DEFAULT_SORT])[1]
