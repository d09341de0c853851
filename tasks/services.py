"""Every write to tasks: functions with keyword-only arguments (views and commands share them).

Reads are QuerySet methods in tasks/models.py (`Task.objects.for_owner(user)` ...).

Validation happens once, before a service is called: the views' ModelForms check
what a user typed (the model's fields and constraints included) and the import
checks its file (tasks/imports.py); a service trusts the values it is given and
writes them, and the table's constraints refuse anything else as an error.

Every function reaches rows through `Task.objects.for_owner(...)` or an explicit
`user_id = owner` condition, so a caller can never touch another user's task,
even before row-level security refuses it.

Deleting moves a task to `tasks_trash` and "Clear completed" moves tasks to
`tasks_archive`, each row copied exactly (id, created_at, updated_at, completed,
description), so Undo can move them back unchanged.

Archiving (`archive_batches`, the `archive_tasks` command) moves tasks
completed more than N days ago. The schema has no completion time, so "completed
more than N days ago" reads `updated_at`, which the trigger moves on every
change: a completed task left alone keeps the time it was completed (or last
edited).
"""

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta

from django.db import connection, connections, transaction
from django.db.models.functions import Now
from django.utils import timezone

from tasks.models import (
    EDITABLE_COLUMNS,
    PRIORITY_NONE,
    TASK_COLUMNS,
    ArchivedTask,
    SubmitToken,
    Task,
    TaskQuerySet,
    TrashedTask,
)

# A form left open longer than this may add its task again when re-sent.
SUBMIT_TOKEN_LIFETIME = timedelta(days=1)

_COLUMNS = ", ".join(TASK_COLUMNS)


class TaskGone(Exception):
    """The task no longer exists (deleted meanwhile, or never the owner's)."""


class TaskChanged(Exception):
    """The task was saved after the version the editor read; `current` is it as it is now."""

    def __init__(self, current: Task):
        super().__init__("the task was changed after it was read")
        self.current = current


def _ids_of(sql: str, params) -> list:
    """Run one statement that returns ids; the ids, in no particular order."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _move(*, owner, source, target, where: str, params) -> list:
    """Move `owner`'s rows of table `source` matching `where` to `target`, values unchanged.

    One statement (DELETE ... RETURNING feeding an INSERT); returns the moved ids.
    """
    return _ids_of(
        f"""
        WITH moved AS (
            DELETE FROM {source} WHERE user_id = %s AND ({where}) RETURNING {_COLUMNS}
        )
        INSERT INTO {target} ({_COLUMNS}) SELECT {_COLUMNS} FROM moved RETURNING id
        """,  # noqa: S608 (table names are constants; values are bound parameters)
        [owner.pk, *params],
    )


def _subquery(tasks: TaskQuerySet) -> tuple[str, tuple]:
    """`id IN (<the queryset as SQL>)` and its parameters."""
    sql, params = tasks.values("pk").query.sql_with_params()
    return f"id IN ({sql})", params


def task_create(
    *,
    owner,
    title: str,
    description: str | None = None,
    due_date: date | None = None,
    priority: int = PRIORITY_NONE,
) -> Task:
    """Insert a task for `owner` from validated values. One INSERT.

    Raw SQL: Model.save() (signals, field preparation, the compiler) cost twice
    the statement's own CPU. The id and both times are the model's defaults, set
    here as save() would; the task returned is as save() leaves it.
    """
    now = timezone.now()
    task = Task(
        user=owner,
        title=title,
        description=description or None,
        due_date=due_date,
        priority=priority,
        created_at=now,
        updated_at=now,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO tasks ({_COLUMNS}) VALUES ({', '.join(['%s'] * len(TASK_COLUMNS))})",  # noqa: S608
            [getattr(task, column) for column in TASK_COLUMNS],
        )
    task._state.adding, task._state.db = False, connection.alias
    return task


def submit_token_spend(*, owner, token: uuid.UUID, content: dict) -> bool:
    """Spend a create form's one-time token; False when this post repeats an earlier one.

    A repeat is the same token with the same content (a double click, a retry
    after a timeout, the back button and "Add" again): the caller answers it as
    it answered the first and creates nothing. Must run in the transaction that
    creates the task: a concurrent second post waits on the primary key until
    the first commits (then it is a repeat) or rolls back (then it goes ahead).
    The same token with other content is a new request from a reused page and
    goes ahead. Also forgets the owner's tokens past SUBMIT_TOKEN_LIFETIME.
    Two queries, three for a repeat.
    """
    fingerprint = hashlib.sha256(
        json.dumps(content, sort_keys=True, default=str).encode()
    ).hexdigest()
    mine = SubmitToken.objects.filter(user=owner)
    mine.filter(created_at__lt=timezone.now() - SUBMIT_TOKEN_LIFETIME).delete()
    with connection.cursor() as cursor:
        # ON CONFLICT needs raw SQL: Django's bulk_create(ignore_conflicts=True)
        # cannot say whether the row went in.
        cursor.execute(
            "INSERT INTO submit_tokens (id, user_id, fingerprint) "
            "VALUES (%s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
            [token, owner.pk, fingerprint],
        )
        if cursor.fetchone() is not None:
            return True
    # Another user's token of that value is invisible here (RLS): not a repeat.
    return not mine.filter(pk=token, fingerprint=fingerprint).exists()


def task_update(
    *,
    owner,
    task_id,
    title: str,
    description: str | None,
    completed: bool,
    due_date: date | None = None,
    priority: int = PRIORITY_NONE,
    version: datetime | None = None,
) -> None:
    """Save validated values of the editable fields of `owner`'s task `task_id` in
    one conditional UPDATE, without reading the task first.

    `version` is the `updated_at` the editor read. The UPDATE applies only while
    the row still has it, so a save over a newer version raises TaskChanged
    (never a silent overwrite) and a save over a deleted task raises TaskGone;
    either costs one more query to tell which. `updated_at` serves as the version
    because the trigger sets it to the transaction's now() on every UPDATE
    (microseconds): no two saves of a row get the same value in practice, and
    only equality is compared. Without a version (scripts), the last save wins.
    """
    _save_if_unchanged(owner.pk, task_id, version, title=title, description=description or None,
                       completed=completed, due_date=due_date, priority=priority)  # fmt: skip


def _save_if_unchanged(owner_id, task_id, version: datetime | None, **fields) -> None:
    """UPDATE `fields` of the owner's task where it still has `version` (any when None).

    Raw SQL, with the owner filter spelled out as in `for_owner`: building the
    ORM's UPDATE cost about a third of a millisecond, a tenth of an edit's CPU.
    """
    # The names go into the SQL text: only the editable columns may.
    assert fields and set(fields) <= set(EDITABLE_COLUMNS), fields
    sql = f"UPDATE tasks SET {', '.join(f'{name} = %s' for name in fields)} "  # noqa: S608
    sql += "WHERE id = %s AND user_id = %s"
    params = [*fields.values(), task_id, owner_id]
    if version is not None:
        sql += " AND updated_at = %s"
        params.append(version)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        updated = cursor.rowcount
    if not updated:
        current = Task.objects.for_owner(owner_id).filter(pk=task_id).first()
        if current is None:
            raise TaskGone
        raise TaskChanged(current)


def task_rename(*, task: Task, title: str, version: datetime | None = None) -> Task:
    """Save a validated new title only (the list's inline edit). One conditional UPDATE.

    Like `task_update`: a save over a newer version raises TaskChanged, over a
    deleted task TaskGone.
    """
    task.title = title
    _save_if_unchanged(task.user_id, task.pk, version, title=title)
    return task


def task_toggle(*, owner, task_id, completed: bool | None = None) -> bool | None:
    """Set completion in ONE atomic UPDATE; return the state it wrote (None: no such task).

    Without `completed` it flips (`completed = NOT completed`): never read, flip,
    write, so two quick clicks or two tabs flip twice, not once. With it, the
    task ends in that state however often the request is repeated (a page that
    shows the task as open asks for "done", even if another tab got there
    first); a task already in that state is left alone, updated_at included,
    which costs one more query to tell it from a missing task. RETURNING gives
    the state this very UPDATE wrote, not one a concurrent toggle wrote after
    it. Raw SQL because Django's update() cannot return rows; the owner filter
    is spelled out as in `for_owner`.
    """
    if completed is None:
        sql = "UPDATE tasks SET completed = NOT completed WHERE id = %s AND user_id = %s"
        params = [task_id, owner.pk]
    else:
        sql = "UPDATE tasks SET completed = %s WHERE id = %s AND user_id = %s AND completed <> %s"
        params = [completed, task_id, owner.pk, completed]
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING completed", params)
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    if completed is not None and Task.objects.for_owner(owner).filter(pk=task_id).exists():
        return completed
    return None


def task_delete(*, owner, task_id) -> bool:
    """Move one of `owner`'s tasks to the trash in one statement; False when there was none."""
    moved = _move(owner=owner, source="tasks", target="tasks_trash", where="id = %s",
                  params=[task_id])  # fmt: skip
    return bool(moved)


def task_clear_completed(*, owner, tasks: TaskQuerySet) -> list:
    """Archive the completed tasks among `tasks` (the shown set), in one statement.

    Returns the archived ids (for Undo). They stay restorable from the archive page.
    """
    where, params = _subquery(tasks.filter(completed=True))
    return _move(owner=owner, source="tasks", target="tasks_archive", where=where, params=params)


@transaction.atomic
def task_complete_all(*, owner, tasks: TaskQuerySet) -> tuple[bool, list]:
    """Mark every task among `tasks` (the shown set) completed or, when all already were, active.

    Returns `(completed, ids)`: the state now applied and the ids that changed
    (for Undo). Only rows in the other state are updated, so untouched rows keep
    their updated_at. Two queries: EXISTS, then one UPDATE ... RETURNING.

    `completed <> %s` is also a condition on the updated row itself, not only
    inside the subquery: when a toggle commits on a row meanwhile, PostgreSQL
    re-checks the row's own conditions on its new version (the subquery keeps
    the statement's snapshot), so a row the toggle already set is neither
    written again nor reported as changed (Undo would then undo the toggle).
    """
    completed = tasks.filter(completed=False).exists()
    where, params = _subquery(tasks.filter(completed=not completed))
    sql = f"UPDATE tasks SET completed = %s WHERE user_id = %s AND completed <> %s AND {where}"  # noqa: S608
    ids = _ids_of(sql + " RETURNING id", [completed, owner.pk, completed, *params])
    return completed, ids


def task_set_completed(*, owner, ids: list, completed: bool) -> int:
    """Set `completed` on those of `owner`'s tasks among `ids` (Undo of a bulk change)."""
    return (
        Task.objects.for_owner(owner)
        .filter(pk__in=ids)
        .exclude(completed=completed)
        .update(completed=completed)
    )


def task_restore_trashed(*, owner, ids: list) -> int:
    """Move `owner`'s trashed tasks among `ids` back to the list, exactly as they were."""
    moved = _move(owner=owner, source="tasks_trash", target="tasks", where="id = ANY(%s)",
                  params=[list(ids)])  # fmt: skip
    return len(moved)


def task_restore_archived(*, owner, ids: list) -> int:
    """Move `owner`'s archived tasks among `ids` back to the list, exactly as they were.

    Undo of "Clear completed"; the archive page's Restore (`archived_task_restore`) moves
    updated_at to now instead, so the next archiving run does not take it back.
    """
    moved = _move(owner=owner, source="tasks_archive", target="tasks", where="id = ANY(%s)",
                  params=[list(ids)])  # fmt: skip
    return len(moved)


def archived_task_delete(*, owner, task_id) -> bool:
    """Delete one of `owner`'s archived tasks for good ("Delete forever"). One DELETE."""
    deleted, _ = ArchivedTask.objects.for_owner(owner).filter(pk=task_id).delete()
    return deleted > 0


def trash_purge(*, days: int, using: str, dry_run: bool = False) -> int:
    """Remove every user's trashed tasks deleted more than `days` days ago; returns how many.

    One statement on `using` (the administrative alias, which sees every user's rows);
    the age is measured by the database clock, as `deleted_at` was set by it.
    """
    old = TrashedTask.objects.using(using).filter(deleted_at__lt=Now() - timedelta(days=days))
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted


_MOVED_COLUMNS = ", ".join(f"t.{column}" for column in TASK_COLUMNS)


def archive_cutoff(*, days: int, using: str):
    """The database's `now() - days`: tasks last changed before it are due. One query."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT now() - make_interval(days => %s)", [days])
        return cursor.fetchone()[0]


def archive_due_count(*, cutoff, using: str) -> int:
    """How many tasks are completed and unchanged since `cutoff`. One query (updated_at index)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks WHERE completed AND updated_at < %s", [cutoff])
        return cursor.fetchone()[0]


def archive_batches(*, cutoff, batch_size: int, using: str):
    """Move due tasks to `tasks_archive`, `batch_size` at a time; yields each batch's count.

    Each batch is ONE statement in its own transaction, so an interruption loses
    nothing and duplicates nothing: a batch either moved completely or not at
    all, and a rerun takes what is left. Batches go oldest first and the next
    starts at the last one's `updated_at`, so no batch rescans the index entries
    of rows already moved. Rows locked by a user's request at that moment are
    skipped (never waited for) and left for the next run; the DELETE re-checks
    the condition, so a task changed meanwhile stays where it is.
    """
    after = None
    while True:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute(
                f"""
                WITH batch AS (
                    SELECT id FROM tasks
                    WHERE completed AND updated_at < %(cutoff)s
                      AND (%(after)s::timestamptz IS NULL OR updated_at >= %(after)s)
                    ORDER BY updated_at
                    LIMIT %(size)s
                    FOR UPDATE SKIP LOCKED
                ), moved AS (
                    DELETE FROM tasks t USING batch
                    WHERE t.id = batch.id AND t.completed AND t.updated_at < %(cutoff)s
                    RETURNING {_MOVED_COLUMNS}
                ), archived AS (
                    INSERT INTO tasks_archive ({_COLUMNS})
                    SELECT {_COLUMNS} FROM moved
                    RETURNING updated_at
                )
                SELECT count(*), max(updated_at) FROM archived
                """,  # noqa: S608 (column names are constants)
                {"cutoff": cutoff, "after": after, "size": batch_size},
            )
            moved, after_batch = cursor.fetchone()
        if moved:
            yield moved
        if moved < batch_size:
            return
        after = after_batch


def archived_task_restore(*, owner, task_id) -> Task | None:
    """Move one archived task of `owner` back to their list; None when there is none.

    updated_at becomes now, so the next archiving run does not take it straight
    back. One statement (plus reading the task back); row-level security confines
    it to the user's rows.
    """
    restored_columns = _COLUMNS.replace("updated_at", "now()")
    with transaction.atomic():
        ids = _ids_of(
            f"""
            WITH restored AS (
                DELETE FROM tasks_archive WHERE id = %s AND user_id = %s RETURNING {_COLUMNS}
            )
            INSERT INTO tasks ({_COLUMNS}) SELECT {restored_columns} FROM restored RETURNING id
            """,  # noqa: S608 (constant SQL; values are bound parameters)
            [task_id, owner.pk],
        )
    return Task.objects.for_owner(owner).get(pk=ids[0]) if ids else None
