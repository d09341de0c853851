"""A user's tasks for download, read in keyset-paginated chunks.

Everything the user has: the list (`tasks`), the archive (`tasks_archive`) and
the trash (`tasks_trash`, deleted in the last 30 days), each row marked by its
`location` ("list", "archive" or "trash"); the import reads the same format back.

A streamed response is consumed after the request's transaction has ended, so
each chunk opens its own short transaction under the user's RLS context; the
whole list is never held in memory. Times are written in the user's time zone
(ISO 8601 with the offset, so they stay exact); the due date is a plain day.
"""

import csv
import json
import zoneinfo

from django.db.models import Q

from core.rls import user_context
from tasks.models import TASK_COLUMNS, ArchivedTask, Task, TrashedTask

# Every column but user_id (CONTRACT.md), in table order.
TASK_EXPORT_COLUMNS = [column for column in TASK_COLUMNS if column != "user_id"]
EXPORT_COLUMNS = [*TASK_EXPORT_COLUMNS, "location", "deleted_at"]
# location -> the table's model; the export and the import read these in this order.
LOCATIONS = {"list": Task, "archive": ArchivedTask, "trash": TrashedTask}
CHUNK_SIZE = 1000
UTC = zoneinfo.ZoneInfo("UTC")


def _rows(model, user_id, chunk_size: int):
    """Rows of one table, newest first by (created_at, id): one query per chunk."""
    columns = [*TASK_EXPORT_COLUMNS, "deleted_at"] if model is TrashedTask else TASK_EXPORT_COLUMNS
    after = None
    while True:
        with user_context(user_id):
            tasks = model.objects.filter(user_id=user_id).order_by("-created_at", "-id")
            if after is not None:
                created_at, pk = after
                tasks = tasks.filter(
                    Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk)
                )
            chunk = list(tasks.values(*columns)[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        after = (chunk[-1]["created_at"], chunk[-1]["id"])


def iter_user_tasks(user_id, tz: zoneinfo.ZoneInfo = UTC, chunk_size: int = CHUNK_SIZE):
    """Yield each task of the user as a dict of EXPORT_COLUMNS (strings for ids and times).

    Times are given in `tz`, the user's time zone.
    """
    for location, model in LOCATIONS.items():
        for row in _rows(model, user_id, chunk_size):
            deleted_at = row.get("deleted_at")
            yield {
                **row,
                "id": str(row["id"]),
                "created_at": row["created_at"].astimezone(tz).isoformat(),
                "updated_at": row["updated_at"].astimezone(tz).isoformat(),
                "due_date": row["due_date"].isoformat() if row["due_date"] else None,
                "location": location,
                "deleted_at": deleted_at.astimezone(tz).isoformat() if deleted_at else None,
            }


class _Echo:
    """A file-like object whose write() returns the line, for streaming CSV."""

    def write(self, value):
        return value


def _json_lines(user_id, tz):
    yield "[\n"
    first = True
    for task in iter_user_tasks(user_id, tz):
        yield ("" if first else ",\n") + json.dumps(task, ensure_ascii=False)
        first = False
    yield "\n]\n"


def _csv_lines(user_id, tz):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for task in iter_user_tasks(user_id, tz):
        yield writer.writerow([task[column] for column in EXPORT_COLUMNS])


FORMATS = {
    "json": ("application/json; charset=utf-8", _json_lines),
    "csv": ("text/csv; charset=utf-8", _csv_lines),
}
