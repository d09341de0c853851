"""A user's tasks for download, read in keyset-paginated chunks.

A streamed response is consumed after the request's transaction has ended, so
each chunk opens its own short transaction under the user's RLS context; the
whole list is never held in memory.
"""

import csv
import json

from django.db.models import Q

from core.rls import user_context
from tasks.models import TASK_COLUMNS, Task

# Every column but user_id (CONTRACT.md), in table order.
EXPORT_COLUMNS = [column for column in TASK_COLUMNS if column != "user_id"]
CHUNK_SIZE = 1000


def iter_user_tasks(user_id, chunk_size: int = CHUNK_SIZE):
    """Yield each task of the user as a dict of EXPORT_COLUMNS (strings for ids and times).

    One query per chunk, newest first by (created_at, id).
    """
    after = None
    while True:
        with user_context(user_id):
            tasks = Task.objects.filter(user_id=user_id).order_by("-created_at", "-id")
            if after is not None:
                created_at, pk = after
                tasks = tasks.filter(
                    Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk)
                )
            chunk = list(tasks.values_list(*EXPORT_COLUMNS)[:chunk_size])
        for row in chunk:
            task = dict(zip(EXPORT_COLUMNS, row, strict=True))
            task["id"] = str(task["id"])
            task["created_at"] = task["created_at"].isoformat()
            task["updated_at"] = task["updated_at"].isoformat()
            yield task
        if len(chunk) < chunk_size:
            return
        last = dict(zip(EXPORT_COLUMNS, chunk[-1], strict=True))
        after = (last["created_at"], last["id"])


class _Echo:
    """A file-like object whose write() returns the line, for streaming CSV."""

    def write(self, value):
        return value


def _json_lines(user_id):
    yield "[\n"
    first = True
    for task in iter_user_tasks(user_id):
        yield ("" if first else ",\n") + json.dumps(task, ensure_ascii=False)
        first = False
    yield "\n]\n"


def _csv_lines(user_id):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for task in iter_user_tasks(user_id):
        yield writer.writerow([task[column] for column in EXPORT_COLUMNS])


FORMATS = {
    "json": ("application/json; charset=utf-8", _json_lines),
    "csv": ("text/csv; charset=utf-8", _csv_lines),
}
