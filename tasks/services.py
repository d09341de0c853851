"""Writes to tasks: plain functions with keyword-only arguments (views and commands share them).

Every function reaches rows through `Task.objects.for_owner(...)`, so a caller can
never touch another user's task, even before row-level security refuses it.
"""

from datetime import date

from django.db import transaction
from django.db.models import F

from tasks.models import PRIORITY_NONE, Task


def task_create(
    *,
    owner,
    title: str,
    description: str | None = None,
    due_date: date | None = None,
    priority: int = PRIORITY_NONE,
) -> Task:
    """Validate and insert a task for `owner`. One INSERT (plus the constraint check)."""
    task = Task(
        user=owner,
        title=title,
        description=description or None,
        due_date=due_date,
        priority=priority,
    )
    task.full_clean(exclude=["user"])
    task.save()
    return task


def task_update(
    *,
    task: Task,
    title: str,
    description: str | None,
    completed: bool,
    due_date: date | None = None,
    priority: int = PRIORITY_NONE,
) -> Task:
    """Validate and save the editable fields of `task`; the database moves updated_at."""
    task.title = title
    task.description = description or None
    task.completed = completed
    task.due_date = due_date
    task.priority = priority
    task.full_clean(exclude=["user"])
    task.save(
        update_fields=["title", "description", "completed", "due_date", "priority", "updated_at"]
    )
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
