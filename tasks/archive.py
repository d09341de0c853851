"""Archiving: completed tasks move to `tasks_archive` and can be restored one by one.

The schema has no completion time, so "completed more than N days ago" reads
`updated_at`, which the trigger moves on every change: a completed task left
alone keeps the time it was completed (or last edited).
"""

from django.db import connections, transaction

from tasks.models import Task


def archive_completed(*, days: int, using: str, dry_run: bool = False) -> int:
    """Move every user's tasks completed more than `days` days ago; returns how many.

    One statement in one transaction, on `using` (the administrative alias, which
    sees every user's rows).
    """
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if dry_run:
            cursor.execute(
                "SELECT count(*) FROM tasks "
                "WHERE completed AND updated_at < now() - make_interval(days => %s)",
                [days],
            )
            return cursor.fetchone()[0]
        cursor.execute(
            """
            WITH moved AS (
                DELETE FROM tasks
                WHERE completed AND updated_at < now() - make_interval(days => %s)
                RETURNING id, user_id, title, description, completed, created_at, updated_at,
                    due_date, priority
            )
            INSERT INTO tasks_archive
                (id, user_id, title, description, completed, created_at, updated_at,
                 due_date, priority)
            SELECT id, user_id, title, description, completed, created_at, updated_at,
                due_date, priority
            FROM moved
            """,
            [days],
        )
        return cursor.rowcount


def archived_task_restore(*, user, task_id) -> Task | None:
    """Move one archived task of `user` back to their list; None when there is none.

    updated_at becomes now, so the next archiving run does not take it straight
    back. One statement; row-level security confines it to the user's rows.
    """
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(
            """
            WITH restored AS (
                DELETE FROM tasks_archive WHERE id = %s AND user_id = %s
                RETURNING id, user_id, title, description, completed, created_at, updated_at,
                    due_date, priority
            )
            INSERT INTO tasks
                (id, user_id, title, description, completed, created_at, updated_at,
                 due_date, priority)
            SELECT id, user_id, title, description, completed, created_at, now(),
                due_date, priority
            FROM restored
            RETURNING id
            """,
            [task_id, user.pk],
        )
        row = cursor.fetchone()
    return None if row is None else Task.objects.for_owner(user).get(pk=row[0])
