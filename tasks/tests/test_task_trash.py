"""Deleted tasks go to `tasks_trash` (same columns, same row-level security) for 30 days."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, transaction
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.rls import user_context
from tasks.models import Task, TrashedTask
from tasks.tests.factories import TaskFactory

# No module-wide django_db mark: the purge and cascade tests need real commits
# (`committed`) and the administrative alias.


def test_delete_moves_the_task_to_the_trash_with_every_column(
    alice_client, alice, as_user, make_tasks
):
    (task,) = make_tasks(alice, 1, description="notes")
    with as_user(alice):
        before = Task.objects.values().get(pk=task.pk)

    alice_client.post(reverse("tasks:delete", args=[task.pk]))

    with as_user(alice):
        assert not Task.objects.filter(pk=task.pk).exists()
        trashed = TrashedTask.objects.values().get(pk=task.pk)
    assert trashed.pop("deleted_at") is not None
    assert trashed == before


def test_rls_hides_other_users_trash_and_refuses_writing_it(db, alice, bob, as_user):
    task = TaskFactory(user=bob, title="bob's")
    with as_user(bob), connections["default"].cursor() as cursor:
        cursor.execute(
            "WITH m AS (DELETE FROM tasks WHERE id = %s RETURNING *) "
            "INSERT INTO tasks_trash (id, user_id, title, description, completed, "
            "created_at, updated_at) SELECT id, user_id, title, description, completed, "
            "created_at, updated_at FROM m",
            [task.pk],
        )
    with as_user(alice), connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks_trash")
        assert cursor.fetchone() == (0,)
        cursor.execute("DELETE FROM tasks_trash")
        assert cursor.rowcount == 0
    with (
        pytest.raises(DatabaseError, match="row-level security"),
        as_user(alice),
        connections["default"].cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO tasks_trash (id, user_id, title) VALUES (gen_random_uuid(), %s, 'x')",
            [bob.pk],
        )
    with as_user(bob):
        assert TrashedTask.objects.count() == 1


def _trash(user, title, age_days):
    with user_context(user.pk), connections["default"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO tasks_trash (id, user_id, title, deleted_at) "
            "VALUES (gen_random_uuid(), %s, %s, now() - %s)",
            [user.pk, title, timedelta(days=age_days)],
        )


def test_purge_trash_removes_only_what_was_deleted_over_30_days_ago(committed):
    alice, bob = UserFactory(), UserFactory()
    _trash(alice, "old", 31)
    _trash(bob, "old too", 45)
    _trash(alice, "recent", 29)

    dry = io.StringIO()
    call_command("purge_trash", "--dry-run", stdout=dry)
    out = io.StringIO()
    call_command("purge_trash", stdout=out)

    assert dry.getvalue() == "would remove 2 task(s) deleted more than 30 days ago\n"
    assert out.getvalue() == "removed 2 task(s) deleted more than 30 days ago\n"
    with connections["admin"].cursor() as cursor:
        cursor.execute("SELECT title FROM tasks_trash")
        assert cursor.fetchall() == [("recent",)]


def test_purge_trash_refuses_a_bad_age(db):
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("purge_trash", "--days", "0", stdout=io.StringIO())


def test_deleting_the_account_removes_its_trash_in_the_database(committed):
    alice = UserFactory()
    _trash(alice, "gone with the account", 1)
    with transaction.atomic(using="admin"), connections["admin"].cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE id = %s", [alice.pk])
        cursor.execute("SELECT count(*) FROM tasks_trash")
        assert cursor.fetchone() == (0,)
