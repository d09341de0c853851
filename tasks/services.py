"""Writes to tasks: plain functions with keyword-only arguments (views and commands share them).

Every function reaches rows through `Task.objects.for_owner(...)` or an explicit
`user_id = owner` condition, so a caller can never touch another user's task,
even before row-level security refuses it.

Deleting moves a task to `tasks_trash` and "Clear completed" moves tasks to
`tasks_archive`, each row copied exactly (id, created_at, updated_at, completed,
description), so Undo can move them back unchanged.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now

from tasks.models import TASK_COLUMNS, ArchivedTask, Task, TaskQuerySet, TrashedTask

_COLUMNS = ", ".join(TASK_COLUMNS)


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


def task_create(*, owner, title: str, description: str | None = None) -> Task:
    """Validate and insert a task for `owner`. One INSERT (plus the constraint check)."""
    task = Task(user=owner, title=title, description=description or None)
    task.full_clean(exclude=["user"])
    task.save()
    return task


def task_update(*, task: Task, title: str, description: str | None, completed: bool) -> Task:
    """Validate and save the editable fields of `task`; the database moves updated_at."""
    task.title = title
    task.description = description or None
    task.completed = completed
    task.full_clean(exclude=["user"])
    task.save(update_fields=["title", "description", "completed", "updated_at"])
    return task


def task_rename(*, task: Task, title: str) -> Task:
    """Validate and save a new title only (the list's inline edit). One UPDATE."""
    task.title = title
    task.full_clean(exclude=["user"])
    task.save(update_fields=["title", "updated_at"])
    return task


def task_toggle(*, owner, task_id) -> Task | None:
    """Flip completion in ONE atomic UPDATE (`completed = NOT completed`).

    Never read, flip, write: two quick clicks or two tabs flip twice, not once.
    Returns the task as it is afterwards (a second query, for the message), or
    None when `owner` has no such task.
    """
    tasks = Task.objects.for_owner(owner).filter(pk=task_id)
    if not tasks.update(completed=~F("completed")):
        return None
    return tasks.only("id", "title", "completed").first()


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
    """
    completed = tasks.filter(completed=False).exists()
    where, params = _subquery(tasks.filter(completed=not completed))
    ids = _ids_of(
        f"UPDATE tasks SET completed = %s WHERE user_id = %s AND {where} RETURNING id",  # noqa: S608
        [completed, owner.pk, *params],
    )
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

    Undo of "Clear completed"; the archive page's Restore (tasks/archive.py) moves
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
