"""Row-level security, proved at the SQL level as the application role.

Every query here runs on the "default" alias, which is `todo_app` (not a
superuser, no BYPASSRLS, owns nothing) exactly as in production; the root
conftest.py migrates the test database as the administrative role. Setup that
needs another user's rows goes through `as_user`, and checks of what really
happened go through the administrative alias (`committed` tests only).

Tests marked `committed` run without a wrapping test transaction, so they see
what real commits do to the context: the bug a TestCase hides.
"""

import json
import uuid

import pytest
from django.db import ProgrammingError, connections, transaction

from accounts.tests.factories import UserFactory, stored
from core import identity
from core.rls import current_rls_user, protected_tables, set_rls_user, user_context
from core.tests.helpers import sql
from tasks.models import Task
from tasks.tests.factories import TaskFactory

RLS_VIOLATION = "new row violates row-level security policy"


def _titles(statement="SELECT title FROM tasks ORDER BY title", params=()):
    return [row[0] for row in sql(statement, params)]


@pytest.fixture
def tasks(alice, bob):
    """alice: A1, A2; bob: B1 — each inserted under its owner's context."""
    return {
        "A1": TaskFactory(user=alice, title="A1"),
        "A2": TaskFactory(user=alice, title="A2"),
        "B1": TaskFactory(user=bob, title="B1"),
    }


# --- the roles and the catalog ------------------------------------------------------


def test_it_runs_as_the_application_role_not_a_privileged_one(db):
    ((role, is_super, bypass, owner_member),) = sql(
        """
        SELECT r.rolname, r.rolsuper, r.rolbypassrls,
               pg_has_role(current_user, c.relowner, 'MEMBER')
        FROM pg_roles r, pg_class c
        WHERE r.rolname = current_user AND c.oid = 'tasks'::regclass
        """
    )
    assert role == connections["default"].settings_dict["USER"] == "todo_app"
    assert (is_super, bypass, owner_member) == (False, False, False)


def test_every_table_with_row_level_security_is_declared_and_vice_versa(db):
    # The apps' declarations (AppConfig.rls_tables) are what the tests below, the
    # start-up check and db_health read: none may be missing from them.
    rows = sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND (c.relrowsecurity "
        "OR EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)) ORDER BY c.relname"
    )
    declared = [table.name for table in protected_tables()]
    assert [name for (name,) in rows] == declared
    assert {"tasks", "users"} <= set(declared)


def test_rls_is_enabled_and_forced_on_every_declared_table(db):
    names = [table.name for table in protected_tables()]
    rows = sql(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
        "WHERE relname = ANY(%s) AND relkind = 'r' ORDER BY relname",
        [names],
    )
    assert rows == [(name, True, True) for name in names]


def _expected_policy_row(table, policy):
    """The pg_policies row a declared policy must have (see core.rls.Policy)."""
    current_user = "( SELECT app.current_user_id() AS current_user_id)"
    if policy.through:
        # How pg_get_expr prints `owner_column IN (SELECT id FROM through WHERE user_id = ...)`.
        through = policy.through
        expression = (
            f"({policy.owner_column} IN ( SELECT {through}.id\n   FROM {through}\n"  # noqa: S608
            f"  WHERE ({through}.user_id = {current_user})))"
        )
    elif policy.owner_column:
        expression = f"({policy.owner_column} = {current_user})"
    else:
        expression = "true"
    if policy.name == "users_self_read":
        # Also, read-only, the one row a signed e-mail claim names (sign-in, sign-up).
        email_claim = "((email)::text = ( SELECT app.current_email() AS current_email))"
        expression = f"({expression} OR {email_claim})"
    using = None if policy.command == "INSERT" else expression
    check = expression if policy.command in ("ALL", "INSERT", "UPDATE") else None
    return (table.name, policy.name, policy.command, "PERMISSIVE", ["public"], using, check)


def test_the_declared_policies_and_only_those_exist(db):
    tables = protected_tables()
    rows = sql(
        "SELECT tablename, policyname, cmd, permissive, roles, qual, with_check "
        "FROM pg_policies WHERE tablename = ANY(%s) ORDER BY tablename, policyname",
        [[table.name for table in tables]],
    )
    expected = sorted(
        (_expected_policy_row(table, policy) for table in tables for policy in table.policies),
        key=lambda row: (row[0], row[1]),
    )
    assert rows == expected
    # Owner-only, as the spec asks: tasks and archived tasks by user_id; users their own row.
    assert ("tasks", "tasks_owner_only", "ALL", "PERMISSIVE", ["public"],
            "(user_id = ( SELECT app.current_user_id() AS current_user_id))",
            "(user_id = ( SELECT app.current_user_id() AS current_user_id))") in rows  # fmt: skip


def test_the_claim_functions_are_stable_definer_functions_of_the_administrative_role(db):
    # They read app.identity_keys, which only their owner can read; a fixed
    # search_path keeps objects the caller creates out of them.
    rows = sql(
        "SELECT p.oid::regprocedure::text, l.lanname, p.provolatile, p.prosecdef, "
        "pg_get_userbyid(p.proowner), p.proconfig, pg_get_function_result(p.oid) "
        "FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
        "WHERE p.oid IN ('app.current_user_id()'::regprocedure, "
        "'app.current_email()'::regprocedure, 'app.token_claim(text)'::regprocedure) "
        "ORDER BY 1"
    )
    path = ["search_path=pg_catalog, pg_temp"]
    assert rows == [
        ("app.current_email()", "sql", "s", True, "todo_admin", path, "text"),
        ("app.current_user_id()", "sql", "s", True, "todo_admin", path, "uuid"),
        ("app.token_claim(text)", "plpgsql", "s", True, "todo_admin", path, "text"),
    ]


def test_row_security_off_is_refused_for_the_application_role(db, tasks):
    # With row_security off, PostgreSQL errors for any role RLS applies to,
    # instead of silently filtering: a decisive probe that it applies to us.
    refused = "would be affected by row-level security policy"
    with pytest.raises(ProgrammingError, match=refused), transaction.atomic():
        sql("SET LOCAL row_security = off")
        sql("SELECT count(*) FROM tasks")


# --- reads --------------------------------------------------------------------------


def test_plain_sql_under_alices_context_returns_only_her_rows(db, tasks, alice, bob, as_user):
    with as_user(alice):
        assert _titles() == ["A1", "A2"]
        assert sql("SELECT count(*) FROM tasks WHERE user_id = %s", [bob.pk]) == [(0,)]
    with as_user(bob):
        assert _titles() == ["B1"]


def test_the_orm_without_any_filter_returns_only_the_current_users_rows(db, tasks, alice, as_user):
    with as_user(alice):
        assert sorted(Task.objects.values_list("title", flat=True)) == ["A1", "A2"]
        assert not Task.objects.filter(pk=tasks["B1"].pk).exists()


def test_without_context_no_task_is_visible(db, tasks, bob, as_user):
    assert sql("SELECT count(*) FROM tasks") == [(0,)]
    assert Task.objects.count() == 0
    with as_user(bob):  # not vacuous: the table does hold rows
        assert Task.objects.count() == 1


def test_a_user_without_tasks_sees_none(db, tasks, as_user):
    carol = UserFactory(email="carol@example.com")
    with as_user(carol):
        assert _titles() == []


# --- writes -------------------------------------------------------------------------


def test_updating_or_deleting_bobs_task_as_alice_affects_no_row(db, tasks, alice, as_user):
    b1 = tasks["B1"].pk
    with as_user(alice):
        assert sql("UPDATE tasks SET title = 'stolen' WHERE id = %s", [b1]) == 0
        assert sql("UPDATE tasks SET completed = NOT completed") == 2  # her own two only
        assert sql("DELETE FROM tasks WHERE id = %s", [b1]) == 0
        assert Task.objects.filter(pk=b1).update(title="stolen") == 0
        assert Task.objects.filter(pk=b1).delete()[0] == 0
    with as_user(tasks["B1"].user):
        assert sql("SELECT title, completed FROM tasks WHERE id = %s", [b1]) == [("B1", False)]


def test_updating_or_deleting_bobs_user_row_as_alice_affects_no_row(db, alice, bob, as_user):
    with as_user(alice):
        assert sql("UPDATE users SET name = 'stolen' WHERE id = %s", [bob.pk]) == 0
        assert sql("DELETE FROM users WHERE id = %s", [bob.pk]) == 0
        assert sql("UPDATE users SET name = 'Alice B.' WHERE id = %s", [alice.pk]) == 1
    assert stored(bob).name == "Bob"


def test_inserting_a_task_for_bob_as_alice_fails(db, alice, bob, as_user):
    with pytest.raises(ProgrammingError, match=RLS_VIOLATION), as_user(alice):
        sql("INSERT INTO tasks (user_id, title) VALUES (%s, 'planted')", [bob.pk])
    with pytest.raises(ProgrammingError, match=RLS_VIOLATION), as_user(alice):
        Task.objects.create(user=bob, title="planted")


def test_moving_alices_task_to_bob_fails(db, tasks, alice, bob, as_user):
    with pytest.raises(ProgrammingError, match=RLS_VIOLATION), as_user(alice):
        sql("UPDATE tasks SET user_id = %s WHERE id = %s", [bob.pk, tasks["A1"].pk])
    with as_user(alice):
        assert Task.objects.get(pk=tasks["A1"].pk).user_id == alice.pk


def test_inserting_a_task_without_context_fails(db, alice):
    with pytest.raises(ProgrammingError, match=RLS_VIOLATION), transaction.atomic():
        sql("INSERT INTO tasks (user_id, title) VALUES (%s, 'orphan')", [alice.pk])


def test_the_application_role_cannot_make_anyone_staff(db, alice, as_user):
    # Staff reach the admin, which works on every user's rows: only the
    # administrative role may grant it.
    with pytest.raises(ProgrammingError, match="only the administrative role"), as_user(alice):
        sql("UPDATE users SET is_staff = true WHERE id = %s", [alice.pk])
    with (
        pytest.raises(ProgrammingError, match="only the administrative role"),
        transaction.atomic(),
    ):
        UserFactory(email="mallory@example.com", is_superuser=True)
    with as_user(alice):  # saving every column unchanged, as Django does, still works
        alice.name = "Alice Liddell"
        alice.save()
    assert stored(alice).name == "Alice Liddell"


def test_the_application_role_cannot_remove_staff_status(committed):
    # The guard fires on removal too (its trigger's condition compares OLD and NEW).
    staff = UserFactory(email="staff@example.com")
    with connections["admin"].cursor() as cursor:
        cursor.execute("UPDATE users SET is_staff = true WHERE id = %s", [staff.pk])
    with (
        pytest.raises(ProgrammingError, match="only the administrative role"),
        user_context(staff.pk),
    ):
        sql("UPDATE users SET is_staff = false WHERE id = %s", [staff.pk])
    assert stored(staff).is_staff is True


# --- the context helper ---------------------------------------------------------------


def test_set_rls_user_refuses_to_run_outside_a_transaction(committed):
    alice = UserFactory()
    with pytest.raises(RuntimeError, match="needs a transaction"):
        set_rls_user(alice.pk)


def test_set_config_in_autocommit_would_last_one_statement(committed):
    # Why set_rls_user insists on a transaction: in autocommit the setting ends
    # with its own statement, so the next query runs as nobody.
    alice = UserFactory()
    TaskFactory(user=alice, title="A1")
    token = identity.make_token(identity.USER, str(alice.pk))
    sql("SELECT set_config('app.identity', %s, true)", [token])
    assert sql("SELECT current_setting('app.identity', true), count(*) FROM tasks") == [("", 0)]


def test_set_rls_user_refuses_what_is_not_a_uuid(db):
    with transaction.atomic():
        for bad in ("not-a-uuid", "x', true); SELECT 1; --", 42):
            with pytest.raises(ValueError):
                set_rls_user(bad)
        assert current_rls_user() is None


@pytest.mark.parametrize("value", ["not-a-token", "", "x.1.u.00.y", "'; DROP TABLE tasks; --"])
def test_a_malformed_identity_sees_nothing(db, tasks, value):
    with transaction.atomic():
        sql("SELECT set_config('app.identity', %s, true)", [value])
        assert sql("SELECT count(*), app.current_user_id() FROM tasks") == [(0, None)]


def test_a_nested_context_restores_the_outer_user_even_after_an_error(db, tasks, alice, bob):
    with user_context(alice.pk):
        with user_context(bob.pk):
            assert _titles() == ["B1"]
        assert current_rls_user() == str(alice.pk)
        with pytest.raises(ZeroDivisionError), user_context(bob.pk):
            _ = 1 / 0
        assert current_rls_user() == str(alice.pk)
        assert _titles() == ["A1", "A2"]


def test_the_context_does_not_survive_into_the_next_transaction(committed):
    alice = UserFactory()
    TaskFactory(user=alice, title="A1")
    with transaction.atomic():
        set_rls_user(alice.pk)
        ((first_pid, visible),) = sql("SELECT pg_backend_pid(), count(*) FROM tasks")
    assert visible == 1
    with transaction.atomic():
        ((pid, setting, user, count),) = sql(
            "SELECT pg_backend_pid(), current_setting('app.identity', true), "
            "app.current_user_id(), count(*) FROM tasks"
        )
    assert pid == first_pid  # the same server session...
    assert (setting, user, count) == ("", None, 0)  # ...reads '' (not an error) and sees nothing
    assert sql("SELECT count(*) FROM tasks") == [(0,)]  # nor in autocommit


def test_a_rolled_back_transaction_leaves_no_context_either(committed):
    alice = UserFactory()
    TaskFactory(user=alice, title="A1")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        set_rls_user(alice.pk)
        _ = 1 / 0
    assert current_rls_user() is None
    assert sql("SELECT count(*) FROM tasks") == [(0,)]


# --- cascades ---------------------------------------------------------------------------


def test_deleting_ones_own_account_with_sql_cascades_to_only_ones_own_tasks(committed):
    alice, bob = UserFactory(), UserFactory()
    for title in ("A1", "A2"):
        TaskFactory(user=alice, title=title)
    TaskFactory(user=bob, title="B1")
    with user_context(alice.pk):
        assert sql("DELETE FROM users WHERE id = %s", [bob.pk]) == 0  # the cascade path is shut
        assert sql("DELETE FROM users WHERE id = %s", [alice.pk]) == 1
    # What really happened, as the administrative role (it bypasses RLS).
    rows = sql("SELECT u.email, t.title FROM tasks t JOIN users u ON u.id = t.user_id",
                using="admin")  # fmt: skip
    assert rows == [(bob.email, "B1")]
    assert sql("SELECT count(*) FROM users WHERE id = %s", [alice.pk], using="admin") == [(0,)]


# --- the plan: the policy keeps the user_id indexes usable -----------------------------


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_the_list_query_uses_a_user_id_index_with_the_context_read_once(db, alice, bob, as_user):
    with as_user(bob):
        sql("INSERT INTO tasks (user_id, title) SELECT %s, 'b' || g "
             "FROM generate_series(1, 500) g", [bob.pk])  # fmt: skip
    with as_user(alice):
        sql("INSERT INTO tasks (user_id, title) VALUES (%s, 'A1')", [alice.pk])
        # Small tables favour a sequential scan; the point is that the policy's
        # predicate can drive an index at all, as it must on a large table.
        sql("SET LOCAL enable_seqscan = off")
        # The policy is the only filter; no ORDER BY, so no index is chosen for sorting.
        query = Task.objects.order_by()
        statement, params = query.query.sql_with_params()
        ((plan,),) = sql(f"EXPLAIN (FORMAT JSON) {statement}", params)
        assert [t.title for t in query] == ["A1"]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes = list(_plan_nodes(plan[0]["Plan"]))
    init_plans = [n for n in nodes if n.get("Parent Relationship") == "InitPlan"]
    assert init_plans, "app.current_user_id() must be evaluated once per statement"
    scans = [n for n in nodes if n.get("Relation Name") == "tasks" or "Index Name" in n]
    assert any(
        n.get("Index Name", "").startswith("idx_tasks_user")
        and n.get("Index Cond", "").startswith("(user_id = ")
        for n in scans
    ), scans
    assert not any(n["Node Type"] == "Seq Scan" for n in scans)


def test_uuid_ids_round_trip_through_the_context(db, alice):
    with transaction.atomic():
        set_rls_user(str(alice.pk).upper())
        assert current_rls_user() == str(alice.pk)
        set_rls_user(uuid.UUID(str(alice.pk)))
        assert current_rls_user() == str(alice.pk)
        set_rls_user(None)
        assert current_rls_user() is None
