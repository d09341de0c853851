"""Archiving: completed tasks move to `tasks_archive` and can be restored one by one.

The schema has no completion time, so "completed more than N days ago" reads
`updated_at`, which the trigger moves on every change: a completed task left
alone keeps the time it was completed (or last edited).
"""

from django.db import connections, transaction

from tasks.models import Task

# Columns moved between tasks and tasks_archive (the two tables have the same ones).
COLUMNS = "id, user_id, title, description, completed, created_at, updated_at"


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
                    RETURNING t.id, t.user_id, t.title, t.description, t.completed,
                              t.created_at, t.updated_at
                ), archived AS (
                    INSERT INTO tasks_archive ({COLUMNS})
                    SELECT {COLUMNS} FROM moved
                    RETURNING updated_at
                )
                SELECT count(*), max(updated_at) FROM archived
                """,  # noqa: S608 (COLUMNS is a constant)
                {"cutoff": cutoff, "after": after, "size": batch_size},
            )
            moved, after_batch = cursor.fetchone()
        if moved:
            yield moved
        if moved < batch_size:
            return
        after = after_batch


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
                RETURNING id, user_id, title, description, completed, created_at, updated_at
            )
            INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at)
            SELECT id, user_id, title, description, completed, created_at, now() FROM restored
            RETURNING id
            """,
            [task_id, user.pk],
        )
        row = cursor.fetchone()
    return None if row is None else Task.objects.for_owner(user).get(pk=row[0])
