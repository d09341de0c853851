"""`task_counts`: the per-user counts the database keeps (tasks/migrations/0016, 0018).

After every kind of write, whatever makes it, each user's stored counts equal a
real COUNT of their tasks, and the list's tabs show the same figures as
counting every task would.
"""

import io
import threading
import time
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction
from django.db.models import Sum
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, two_factor_client
from core import clock
from core.rls import user_context
from core.tests.helpers import admin_sql, sessions_waiting_on_a_lock, sql
from tasks import imports, services
from tasks.models import COUNT_SLOTS, Task, TaskCounts
from tasks.tests.factories import TaskFactory

TODAY = date(2026, 11, 26)


def _counts(user) -> tuple[tuple[int, int], tuple[int, int]]:
    """`user`'s (total, completed) as stored, and as counted from their tasks (read as the user)."""
    with user_context(user.pk):
        stored = TaskCounts.objects.filter(user=user).aggregate(Sum("total"), Sum("completed"))
        tasks = Task.objects.for_owner(user)
        counted = (tasks.count(), tasks.filter(completed=True).count())
    return (stored["total__sum"] or 0, stored["completed__sum"] or 0), counted


def _assert_true(*users, after: str = "") -> None:
    for user in users:
        stored, counted = _counts(user)
        assert stored == counted, f"{user.email} after {after}: stored {stored}, real {counted}"


def _every_users_counts_are_true() -> None:
    """Stored counts of every user equal a real count (administrative role, all rows).

    A user without tasks may have no row or a row of zeros: both mean none.
    """
    stored = {
        user_id: (total, completed)
        for user_id, total, completed in admin_sql(
            "SELECT user_id, sum(total), sum(completed) FROM task_counts GROUP BY user_id"
        )
        if (total, completed) != (0, 0)
    }
    counted = {
        user_id: (total, completed)
        for user_id, total, completed in admin_sql(
            "SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM tasks "
            "GROUP BY user_id"
        )
    }
    assert stored == counted


# --- the tabs ------------------------------------------------------------------------------


def test_the_tabs_equal_counting_every_task(alice, bob, make_tasks, as_user):
    for due in (None, TODAY - timedelta(days=3), TODAY, TODAY + timedelta(days=1)):
        make_tasks(alice, 2, due_date=due)
        make_tasks(alice, 1, due_date=due, completed=True)
    make_tasks(bob, 4, due_date=TODAY)

    with as_user(alice):
        tabs = TaskCounts.objects.tabs(alice, today=TODAY)
        counted = Task.objects.for_owner(alice).status_counts(today=TODAY)

    assert tabs == counted
    assert tabs == {"all": 12, "active": 8, "completed": 4, "today": 4, "upcoming": 2}


def test_a_user_without_tasks_has_zero_in_every_tab(alice, as_user, django_assert_num_queries):
    with as_user(alice), django_assert_num_queries(1):  # the one SELECT of the counts
        tabs = TaskCounts.objects.tabs(alice, today=TODAY)

    assert tabs == {"all": 0, "active": 0, "completed": 0, "today": 0, "upcoming": 0}


def test_another_users_counts_are_never_read(alice, bob, make_tasks, as_user):
    make_tasks(bob, 3, due_date=TODAY)

    with as_user(alice):
        # Row-level security hides bob's row even when his id is asked for.
        assert TaskCounts.objects.tabs(bob, today=TODAY)["all"] == 0
        assert not TaskCounts.objects.exists()


# --- every write of the site ---------------------------------------------------------------


def test_every_action_of_the_list_keeps_the_counts_true(alice_client, alice, bob, make_tasks):
    make_tasks(bob, 2)  # never touched: must stay right too
    client = alice_client
    steps = [
        ("create", lambda: client.post(reverse("tasks:create"), {"title": "Written"})),
        ("quick add", lambda: client.post(reverse("tasks:list"), {"title": "Quick !2 today"})),
    ]
    for name, step in steps:
        assert step().status_code == 302, name
        _assert_true(alice, bob, after=name)

    with user_context(alice.pk):
        first, second = Task.objects.for_owner(alice).order_by("title")
    steps = [
        ("toggle", lambda: client.post(reverse("tasks:toggle", args=[first.pk]))),
        ("toggle back", lambda: client.post(reverse("tasks:toggle", args=[first.pk]))),
        (
            "edit",
            lambda: client.post(
                reverse("tasks:update", args=[second.pk]),
                {"title": "Edited", "completed": "on", "priority": "0"},
            ),
        ),
        ("rename", lambda: client.post(reverse("tasks:rename", args=[first.pk]), {"title": "R"})),
        ("complete all", lambda: client.post(reverse("tasks:complete_all"))),
        ("reopen all", lambda: client.post(reverse("tasks:complete_all"))),
        ("complete all again", lambda: client.post(reverse("tasks:complete_all"))),
        ("clear completed", lambda: client.post(reverse("tasks:clear_completed"))),
        ("restore", lambda: client.post(reverse("tasks:restore", args=[first.pk]))),
        ("delete", lambda: client.post(reverse("tasks:delete", args=[first.pk]))),
    ]
    for name, step in steps:
        assert step().status_code == 302, name
        _assert_true(alice, bob, after=name)
    assert _counts(alice)[0] == (0, 0)  # everything went: to the archive, then the trash
    assert _counts(bob)[0] == (2, 0)


def test_undo_keeps_the_counts_true(alice, make_tasks):
    (task,) = make_tasks(alice, 1, completed=True)
    make_tasks(alice, 2)

    with user_context(alice.pk):
        services.task_delete(owner=alice, task_id=task.pk)
        _assert_true(alice, after="delete")
        services.task_restore_trashed(owner=alice, ids=[task.pk])
        _assert_true(alice, after="undo of the delete")
        changed = services.task_complete_all(owner=alice, tasks=Task.objects.for_owner(alice))[1]
        services.task_set_completed(owner=alice, ids=changed, completed=False)
        _assert_true(alice, after="undo of complete all")

    assert _counts(alice)[0] == (3, 1)


def test_the_import_is_counted(alice, as_user):
    data = b"title,completed\nOne,false\nTwo,true\nThree,true\n"
    rows = imports.import_read(data, "tasks.csv").rows

    with as_user(alice):
        imports.import_tasks(owner=alice, rows=rows)

    assert _counts(alice) == ((3, 2), (3, 2))


def test_plain_sql_by_the_owner_is_counted(alice, as_user):
    with as_user(alice):
        sql(
            "INSERT INTO tasks (user_id, title, completed) "
            "SELECT %s, 'T' || n, n %% 2 = 0 FROM generate_series(1, 9) AS n",
            [alice.pk],
        )
        _assert_true(alice, after="INSERT")
        sql("UPDATE tasks SET completed = NOT completed WHERE title IN ('T1', 'T2', 'T3')")
        _assert_true(alice, after="UPDATE")
        sql("DELETE FROM tasks WHERE completed")
        _assert_true(alice, after="DELETE")

    assert _counts(alice)[0] == (4, 0)


def test_a_rolled_back_write_leaves_the_counts_as_they_were(alice, make_tasks, as_user):
    make_tasks(alice, 2)

    with as_user(alice):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.task_create(owner=alice, title="Gone")
            services.task_toggle(owner=alice, task_id=Task.objects.for_owner(alice).first().pk)
            raise RuntimeError("the request failed")
        # One statement whose last row breaks a constraint: none of its rows count.
        with pytest.raises(IntegrityError), transaction.atomic():
            sql(
                "INSERT INTO tasks (user_id, title) VALUES (%s, 'fine'), (%s, ' ')",
                [alice.pk, alice.pk],
            )

    assert _counts(alice) == ((2, 0), (2, 0))


# --- writes outside the site: commands, the admin, plain SQL, other connections -----------


@pytest.fixture
def people(committed):
    """alice (three tasks, one completed) and bob (two), committed."""
    alice, bob = UserFactory(), UserFactory()
    for completed in (False, False, True):
        TaskFactory(user=alice, completed=completed)
    TaskFactory.create_batch(2, user=bob)
    return alice, bob


def test_archive_tasks_is_counted(people):
    alice, _ = people
    admin_sql(
        "INSERT INTO tasks (user_id, title, completed, updated_at) "
        "VALUES (%s, 'Done long ago', true, now() - interval '100 days')",
        [alice.pk],
    )
    assert _counts(alice)[0] == (4, 2)

    call_command("archive_tasks", "--days", "90", stdout=io.StringIO(), stderr=io.StringIO())

    assert admin_sql("SELECT title FROM tasks_archive") == [("Done long ago",)]
    assert _counts(alice)[0] == (3, 1)
    _every_users_counts_are_true()


def test_a_deletion_in_the_admin_is_counted(people):
    alice, _ = people
    staff = User.objects.db_manager("admin").create_superuser("staff@example.com", PASSWORD)
    task = admin_sql("SELECT id FROM tasks WHERE user_id = %s AND completed", [alice.pk])[0][0]

    response = two_factor_client(staff).post(f"/admin/tasks/task/{task}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert _counts(alice)[0] == (2, 0)
    _every_users_counts_are_true()


def test_deleting_a_user_deletes_their_counts_and_no_one_elses(people):
    alice, bob = people

    admin_sql("DELETE FROM users WHERE id = %s", [alice.pk])

    assert admin_sql("SELECT DISTINCT user_id FROM task_counts") == [(bob.pk,)]
    _every_users_counts_are_true()


def test_tasks_given_to_another_user_move_their_counts(people):
    alice, bob = people

    admin_sql("UPDATE tasks SET user_id = %s WHERE user_id = %s AND completed", [bob.pk, alice.pk])

    assert _counts(alice)[0] == (2, 0)
    assert _counts(bob)[0] == (3, 1)
    _every_users_counts_are_true()


def test_a_truncate_and_reload_in_one_transaction_is_counted_once_at_commit(people):
    alice, bob = people
    with transaction.atomic(using="admin"):
        admin_sql("TRUNCATE tasks")
        admin_sql(
            "INSERT INTO tasks (user_id, title, completed) "
            "SELECT %s, 'T' || n, n <= 4 FROM generate_series(1, 10) AS n",
            [bob.pk],
        )
        # Not yet: the whole table is counted when the transaction commits.
        assert admin_sql("SELECT count(*) FROM task_counts") == [(0,)]

    assert _counts(alice)[0] == (0, 0)
    assert _counts(bob)[0] == (10, 4)
    assert admin_sql("SELECT count(*) FROM app.task_counts_truncated") == [(0,)]
    # After the commit, writes are counted one statement at a time again.
    admin_sql("DELETE FROM tasks WHERE title = 'T1'")
    assert _counts(bob)[0] == (9, 3)
    _every_users_counts_are_true()


def test_generate_data_into_an_empty_table_and_then_beside_it_is_counted(committed):
    run = ("--users", "6", "--tasks-per-user", "7", "--heavy-users", "1", "--heavy-tasks", "40")
    # The first run truncates the empty table and loads it; the second adds to it.
    for _ in range(2):
        call_command("generate_data", *run, stdout=io.StringIO(), stderr=io.StringIO())
        _every_users_counts_are_true()
    assert admin_sql("SELECT count(DISTINCT user_id), sum(total) FROM task_counts") == [
        (12, 2 * (5 * 7 + 40))
    ]


def test_the_rebuild_function_counts_what_the_triggers_counted(people):
    per_user = "SELECT user_id, sum(total), sum(completed) FROM task_counts GROUP BY 1 ORDER BY 1"
    before = admin_sql(per_user)

    admin_sql("SELECT app.task_counts_rebuild()")

    assert admin_sql(per_user) == before
    assert len(before) == 2
    # One row per user again, in slot 0.
    assert admin_sql("SELECT DISTINCT slot FROM task_counts") == [(0,)]


class _Retry(Exception):
    """Roll back and draw another transaction id."""


def _slot() -> int:
    """The counts slot of the transaction (the same expression as the trigger's)."""
    return sql("SELECT (pg_current_xact_id()::text::bigint %% %s)::int", [COUNT_SLOTS])[0][0]


def _create_while_another_transaction_holds_its_slot(user, *, same_slot: bool) -> int:
    """Two transactions create tasks of `user` at once: the first holds its slot
    until the second has written (or waits); the second draws transaction ids
    until its slot is the first's (`same_slot`) or another. Returns the number
    of sessions seen waiting on a lock meanwhile, and whether the second had
    committed before the first did."""
    inserted, release = threading.Event(), threading.Event()
    first_slot, errors = [], []

    def first():
        try:
            with user_context(user.pk):
                services.task_create(owner=user, title="First")
                first_slot.append(_slot())
                inserted.set()
                release.wait(10)  # COMMIT only once the second has written or waits
        except Exception as exc:
            errors.append(exc)
        finally:
            inserted.set()
            connections.close_all()

    def second():
        try:
            inserted.wait(10)
            for _ in range(500):
                try:
                    with user_context(user.pk):
                        if (_slot() == first_slot[0]) != same_slot:
                            raise _Retry
                        services.task_create(owner=user, title="Second")
                        services.task_create(owner=user, title="Third")
                    break
                except _Retry:
                    continue
            else:
                raise AssertionError("no transaction id with the slot wanted")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inserted.wait(10)
    blocked = 0
    for _ in range(80):
        blocked = max(blocked, sessions_waiting_on_a_lock())
        if blocked or not threads[1].is_alive():
            break
        time.sleep(0.025)
    second_done_first = not threads[1].is_alive()
    release.set()
    for thread in threads:
        thread.join()
    assert errors == []
    return blocked, second_done_first


def test_two_transactions_in_one_slot_queue_and_are_both_counted(committed):
    alice = UserFactory()

    blocked, second_done_first = _create_while_another_transaction_holds_its_slot(
        alice, same_slot=True
    )

    # The second's count waited on the row the first one created.
    assert (blocked, second_done_first) == (1, False)
    assert _counts(alice) == ((3, 0), (3, 0))
    assert admin_sql("SELECT count(*) FROM task_counts WHERE user_id = %s", [alice.pk]) == [(1,)]


def test_two_transactions_in_different_slots_do_not_wait_and_are_both_counted(committed):
    alice = UserFactory()

    blocked, second_done_first = _create_while_another_transaction_holds_its_slot(
        alice, same_slot=False
    )

    # The second wrote its tasks and its counts while the first still held its row.
    assert (blocked, second_done_first) == (0, True)
    assert _counts(alice) == ((3, 0), (3, 0))
    assert admin_sql("SELECT count(*) FROM task_counts WHERE user_id = %s", [alice.pk]) == [(2,)]
    with user_context(alice.pk):
        assert TaskCounts.objects.tabs(alice, today=TODAY)["all"] == 3
        assert len(TaskCounts.objects.version_of(alice)) == 2


def test_the_list_shows_the_stored_counts(alice_client, alice, make_tasks):
    make_tasks(alice, 3)
    make_tasks(alice, 2, completed=True, due_date=clock.today())

    response = alice_client.get(reverse("tasks:list"))

    counts = {tab["status"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"all": 5, "active": 3, "completed": 2, "today": 0, "upcoming": 0}
