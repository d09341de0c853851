"""Import of the export's own JSON or CSV (tasks/export.py): read, check, then insert.

`import_read` parses and checks an uploaded file without writing anything and
returns the rows to insert plus a list of errors, one per bad row (or one for
the whole file). The view shows that as a preview; on confirmation
`import_tasks` inserts every row in one transaction, each into the table its
`location` names. A file with any error imports nothing.

Ids are kept when no task anywhere uses them (`app.task_ids_in_use`, migration
0008), otherwise the row gets a new id; created_at, updated_at and deleted_at
are kept as in the file.
"""

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tasks.export import EXPORT_COLUMNS
from tasks.models import DESCRIPTION_MAX_LENGTH, PRIORITY_NONE, TASK_COLUMNS, TITLE_MAX_LENGTH

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_ERRORS = 50
COLUMNS = EXPORT_COLUMNS  # a file reads back with exactly the columns the export writes
TABLES = {"list": "tasks", "archive": "tasks_archive", "trash": "tasks_trash"}
LOCATIONS = tuple(TABLES)
TRUE, FALSE = {"true", "1", "yes", "t"}, {"false", "0", "no", "f", ""}


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class RowError(ValueError):
    pass


def _text(row, name, *, max_length=None, required=False):
    value = row.get(name)
    if value is None or value == "":
        if required:
            raise RowError(_("%(name)s is empty") % {"name": name})
        return None
    if not isinstance(value, str):
        raise RowError(_("%(name)s is not text") % {"name": name})
    if "\x00" in value:
        raise RowError(_("%(name)s contains a NUL character") % {"name": name})
    if max_length and len(value) > max_length:
        raise RowError(
            _("%(name)s has %(length)d characters (at most %(max)d)")
            % {"name": name, "length": len(value), "max": max_length}
        )
    return value


def _when(row, name, *, default):
    value = _text(row, name)
    if value is None:
        return default
    parsed = parse_datetime(value.strip())
    if parsed is None:
        raise RowError(
            _("%(name)s %(value)r is not a date and time (YYYY-MM-DDTHH:MM:SS+00:00)")
            % {"name": name, "value": value[:40]}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.isoformat()


def _due_date(row):
    """A plain day, YYYY-MM-DD, or none (files exported before v1.1 have no such column)."""
    value = _text(row, "due_date")
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise RowError(
            _("due_date %(value)r is not a date (YYYY-MM-DD)") % {"value": value[:40]}
        ) from None


def _priority(row):
    """0 (none) to 3 (high); empty or missing is 0."""
    value = row.get("priority")
    if value is None or value == "":
        return PRIORITY_NONE
    if isinstance(value, bool) or str(value).strip() not in {"0", "1", "2", "3"}:
        raise RowError(_("priority %(value)r is not 0, 1, 2 or 3") % {"value": str(value)[:20]})
    return int(value)


def _completed(row):
    value = row.get("completed")
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise RowError(_("completed %(value)r is not true or false") % {"value": str(value)[:20]})


def _row(row: dict, now: str) -> dict:
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        raise RowError(
            _("unknown column(s): %(columns)s") % {"columns": ", ".join(map(str, unknown))}
        )
    title = _text(row, "title", max_length=TITLE_MAX_LENGTH, required=True)
    if not title.strip():
        raise RowError(_("title is only white space"))
    location = _text(row, "location") or "list"
    if location not in LOCATIONS:
        raise RowError(
            _("location %(value)r is not list, archive or trash") % {"value": location[:20]}
        )
    task_id = _text(row, "id")
    if task_id is not None:
        try:
            task_id = str(uuid.UUID(task_id))
        except ValueError:
            raise RowError(_("id %(value)r is not a UUID") % {"value": task_id[:40]}) from None
    created_at = _when(row, "created_at", default=now)
    return {
        "id": task_id,
        "title": title,
        "description": _text(row, "description", max_length=DESCRIPTION_MAX_LENGTH),
        "completed": _completed(row),
        "created_at": created_at,
        "updated_at": _when(row, "updated_at", default=created_at),
        "due_date": _due_date(row),
        "priority": _priority(row),
        "location": location,
        "deleted_at": _when(row, "deleted_at", default=now) if location == "trash" else None,
    }


def _records(text: str, name: str) -> tuple[list, list[str]]:
    """The file's records (dicts) and file-level errors."""
    if name.lower().endswith(".json") or text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [
                _("The file is not valid JSON (line %(line)d): %(problem)s.")
                % {"line": exc.lineno, "problem": exc.msg}
            ]
        if not isinstance(data, list):
            return [], [_("The JSON file must hold a list of tasks, as the export writes it.")]
        return data, []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in COLUMNS]
    if "title" not in header or unknown:
        if unknown:
            what = _("unknown column(s) %(columns)s") % {"columns": ", ".join(unknown)}
        else:
            what = _("no title column")
        return [], [
            _("The CSV header has %(what)s: expected the export's columns %(columns)s.")
            % {"what": what, "columns": ", ".join(COLUMNS)}
        ]
    try:
        records = list(reader)
    except csv.Error as exc:
        return [], [
            _("The CSV file cannot be read (line %(line)d): %(problem)s.")
            % {"line": reader.line_num, "problem": exc}
        ]
    if any(None in record for record in records):
        extra = next(i for i, r in enumerate(records, start=1) if None in r)
        return [], [_("Row %(row)d has more values than the header has columns.") % {"row": extra}]
    return records, []


def import_read(data: bytes, name: str = "") -> ImportResult:
    """Parse and check an uploaded export; writes nothing.

    Errors name their row, 1 being the first task (the line after a CSV header).
    """
    result = ImportResult()
    if len(data) > MAX_BYTES:
        result.errors.append(
            _("The file is %(size)d KB; the limit is %(limit)d MB.")
            % {"size": len(data) // 1024, "limit": MAX_BYTES // 1024 // 1024}
        )
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(
            _("The file is not UTF-8 text: upload the JSON or CSV the export gave.")
        )
        return result
    records, result.errors = _records(text, name)
    if result.errors:
        return result
    if not records:
        result.errors.append(_("The file holds no tasks."))
        return result
    if len(records) > MAX_ROWS:
        result.errors.append(
            _("The file holds %(count)d tasks; the limit is %(limit)d.")
            % {"count": len(records), "limit": MAX_ROWS}
        )
        return result
    now = timezone.now().isoformat()
    seen = set()
    for number, record in enumerate(records, start=1):
        try:
            if not isinstance(record, dict):
                raise RowError(_("is not an object with the export's columns"))
            row = _row(record, now)
            if row["id"] is not None and row["id"] in seen:
                raise RowError(
                    _("id %(id)s appears more than once in the file") % {"id": row["id"]}
                )
            seen.add(row["id"])
            result.rows.append(row)
        except RowError as exc:
            if len(result.errors) < MAX_ERRORS:
                result.errors.append(
                    _("Row %(row)d: %(problem)s.") % {"row": number, "problem": exc}
                )
            elif len(result.errors) == MAX_ERRORS:
                result.errors.append(_("… and more rows with errors."))
    if result.errors:
        result.rows = []
    return result


def ids_in_use(ids: list[str]) -> set[str]:
    """Which of `ids` a task of anyone already has (one query; see migration 0008)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app.task_ids_in_use(%s::uuid[])", [ids])
        return {str(row[0]) for row in cursor.fetchall()}


@transaction.atomic
def import_tasks(*, owner, rows: list[dict]) -> dict[str, int]:
    """Insert checked rows for `owner`; returns {"list": n, "archive": n, "trash": n, "new_ids": n}.

    One query for the ids in use, then one batch of INSERTs per table (plain SQL:
    the model's auto_now would replace the file's created_at and updated_at).
    """
    in_use = ids_in_use([row["id"] for row in rows if row["id"]])
    batches = {location: [] for location in TABLES}
    new_ids = 0
    for row in rows:
        task_id = row["id"]
        if task_id is None or task_id in in_use:
            task_id, new_ids = str(uuid.uuid4()), new_ids + 1
        values = [task_id, owner.pk, row["title"], row["description"], row["completed"],
                  row["created_at"], row["updated_at"],
                  row["due_date"], row["priority"]]  # fmt: skip
        if row["location"] == "trash":
            values.append(row["deleted_at"])
        batches[row["location"]].append(values)
    with connection.cursor() as cursor:
        for location, batch in batches.items():
            if not batch:
                continue
            columns = list(TASK_COLUMNS) + (["deleted_at"] if location == "trash" else [])
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {TABLES[location]} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({placeholders})",
                batch,
            )
    return {**{location: len(batch) for location, batch in batches.items()}, "new_ids": new_ids}
