"""Writes to tasks: plain functions with keyword-only arguments (views and commands share them).

Every function reaches rows through `Task.objects.for_owner(...)`, so a caller can
never touch another user's task, even before row-level security refuses it.
"""

import hashlib
import json
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from tasks.models import SubmitToken, Task

# A form left open longer than this may add its task again when re-sent.
SUBMIT_TOKEN_LIFETIME = timedelta(days=1)


class TaskGone(Exception):
    """The task no longer exists (deleted meanwhile, or never the owner's)."""


class TaskChanged(Exception):
    """The task was saved after the version the editor read; `current` is it as it is now."""

    def __init__(self, current: Task):
        super().__init__("the task was changed after it was read")
        self.current = current


def task_create(*, owner, title: str, description: str | None = None) -> Task:
    """Validate and insert a task for `owner`. One INSERT (plus the constraint check)."""
    task = Task(user=owner, title=title, description=description or None)
    task.full_clean(exclude=["user"])
    task.save()
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
    task: Task,
    title: str,
    description: str | None,
    completed: bool,
    version: datetime | None = None,
) -> Task:
    """Validate and save the editable fields of `task` in one conditional UPDATE.

    `version` is the `updated_at` the editor read. The UPDATE applies only while
    the row still has it, so a save over a newer version raises TaskChanged
    (never a silent overwrite) and a save over a deleted task raises TaskGone;
    either costs one more query to tell which. `updated_at` serves as the version
    because the trigger sets it to the transaction's now() on every UPDATE
    (microseconds): no two saves of a row get the same value in practice, and
    only equality is compared. Without a version (scripts), the last save wins.
    """
    task.title = title
    task.description = description or None
    task.completed = completed
    task.full_clean(exclude=["user"])
    rows = Task.objects.for_owner(task.user_id).filter(pk=task.pk)
    target = rows if version is None else rows.filter(updated_at=version)
    if not target.update(title=task.title, description=task.description, completed=completed):
        current = rows.first()
        if current is None:
            raise TaskGone
        raise TaskChanged(current)
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
    """Delete one of `owner`'s tasks in one DELETE; False when there was none."""
    deleted, _ = Task.objects.for_owner(owner).filter(pk=task_id).delete()
    return deleted > 0


def task_clear_completed(*, owner) -> int:
    """Delete all of `owner`'s completed tasks in one DELETE; returns how many."""
    deleted, _ = Task.objects.for_owner(owner).filter(completed=True).delete()
    return deleted


@transaction.atomic
def task_complete_all(*, owner) -> tuple[bool, int]:
    """Mark every task of `owner` completed or, when all already were, active again.

    Returns `(completed, changed)`: the state now applied and how many rows
    changed. Only rows in the other state are updated, so untouched rows keep
    their updated_at.
    """
    tasks = Task.objects.for_owner(owner)
    completed = tasks.filter(completed=False).exists()
    changed = tasks.filter(completed=not completed).update(completed=completed)
    return completed, changed
