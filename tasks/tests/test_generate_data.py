"""generate_data: the numbers asked for, heavy users, rows interleaved on disk, indexes intact."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from core.tests.helpers import admin_sql, run_command


def _run(*args):
    return run_command("generate_data", *args)


TABLES = ["tasks", "users", "task_counts"]


def _schema_of_tasks():
    """Every index and constraint of `tasks`, `users` and `task_counts` with its
    definition, as the catalog has them (a fresh load rebuilds their indexes)."""
    return admin_sql(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid::regclass::text = ANY (%s) "
        "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY (%s) ORDER BY 1, 2",
        [TABLES, TABLES],
    )  # a key and its index share a name


def test_it_adds_the_users_and_tasks_asked_for(committed):
    out = _run("--users", "3", "--tasks-per-user", "4", "--seed", "1")

    assert "added 3 users" in out and "12 tasks" in out
    assert admin_sql("SELECT count(*) FROM users WHERE email LIKE 'load-%%@example.test'") == [(3,)]
    assert admin_sql("SELECT count(DISTINCT user_id), count(*) FROM tasks") == [(3, 12)]


def test_it_gives_the_heavy_users_their_tasks_and_the_others_theirs(committed):
    out = _run(
        "--users", "20", "--tasks-per-user", "3", "--heavy-users", "2", "--heavy-tasks", "50"
    )

    assert "added 20 users" in out and "154 tasks" in out
    counts = [n for (n,) in admin_sql("SELECT count(*) FROM tasks GROUP BY user_id ORDER BY 1")]
    assert counts == [3] * 18 + [50] * 2
    assert admin_sql("SELECT count(*) FROM users WHERE email LIKE 'load-%%@example.test'") == [
        (20,)
    ]


def test_it_interleaves_the_rows_of_different_users_on_disk(committed):
    _run("--users", "60", "--tasks-per-user", "10", "--heavy-users", "1", "--heavy-tasks", "300")

    # Walk the table in physical order and count the stretches of consecutive
    # rows that belong to one user: stored user by user there would be 60.
    owners = [u for (u,) in admin_sql("SELECT user_id FROM tasks ORDER BY ctid")]
    stretches = [len(list(run)) for _, run in itertools.groupby(owners)]
    assert len(owners) == 59 * 10 + 300
    assert len(stretches) > len(owners) / 2
    # Not even the heavy user, a third of the rows, has two rows side by side.
    assert max(stretches) == 1
    # The heavy user's rows run from the start of the table to its end.
    heavy = admin_sql("SELECT user_id FROM tasks GROUP BY user_id ORDER BY count(*) DESC LIMIT 1")
    positions = [i for i, owner in enumerate(owners) if owner == heavy[0][0]]
    assert positions[0] < len(owners) * 0.1 and positions[-1] > len(owners) * 0.9


def test_the_task_counts_are_right_after_a_load_and_kept_after_it(committed):
    # The first run loads an empty table (the counts are counted once, at its
    # end, their key dropped meanwhile); the triggers count what follows.
    _run("--users", "30", "--tasks-per-user", "4", "--heavy-users", "2", "--heavy-tasks", "40")
    _run("--users", "3", "--tasks-per-user", "5")

    counts = "SELECT user_id, sum(total), sum(completed) FROM task_counts GROUP BY 1 ORDER BY 1"
    assert admin_sql(counts) == admin_sql(
        "SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM tasks "
        "GROUP BY user_id ORDER BY 1"
    )
    assert sorted(total for _, total, _ in admin_sql(counts)) == [4] * 28 + [5] * 3 + [40] * 2


def test_it_spreads_each_users_tasks_over_the_past_year(committed):
    _run("--users", "5", "--tasks-per-user", "12", "--seed", "4")

    spans = admin_sql(
        "SELECT extract(day FROM max(created_at) - min(created_at)), "
        "bool_and(created_at <= now() AND created_at > now() - interval '366 days'), "
        "bool_and(updated_at = created_at) FROM tasks GROUP BY user_id"
    )
    assert all(days > 250 and in_year and untouched for days, in_year, untouched in spans)


def test_an_empty_table_gets_back_every_index_and_constraint_it_had(committed):
    before = _schema_of_tasks()

    _run("--users", "3", "--tasks-per-user", "5")

    assert _schema_of_tasks() == before
    assert admin_sql("SELECT count(*) FROM pg_index WHERE NOT indisvalid") == [(0,)]
    # The rebuilt keys hold: an address already taken, in other letters, is refused.
    (email,) = admin_sql("SELECT email FROM users WHERE email LIKE 'load-%%' LIMIT 1")[0]
    with pytest.raises(IntegrityError, match="uk_users_email_lower"):
        admin_sql(
            "INSERT INTO users (email, password, is_active, is_staff, is_superuser) "
            "VALUES (%s, '!', true, false, false)",
            [email.upper()],
        )


def test_a_table_that_holds_tasks_keeps_its_indexes_while_more_are_added(committed):
    _run("--users", "2", "--tasks-per-user", "2")
    before = _schema_of_tasks()

    _run("--users", "2", "--tasks-per-user", "3")

    assert _schema_of_tasks() == before
    assert admin_sql("SELECT count(*), count(DISTINCT user_id) FROM tasks") == [(10, 4)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--heavy-users", "3"], "--heavy-users must be between 0 and --users"),
        (["--heavy-users", "-1"], "--heavy-users must be between 0 and --users"),
        (["--heavy-users", "1", "--heavy-tasks", "-5"], "--heavy-tasks at least 0"),
        (["--heavy-users", "1", "--heavy-tasks", "300000000"], "refusing more than"),
    ],
)
def test_it_refuses_impossible_skews_and_adds_nothing(committed, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_data", "--users", "2", "--tasks-per-user", "1", *args)
    assert admin_sql("SELECT count(*) FROM users") == [(0,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "0", "--tasks-per-user", "1"], "--users must be at least 1"),
        (["--users", "1", "--tasks-per-user", "-1"], "--tasks-per-user at least 0"),
    ],
)
def test_it_refuses_bad_numbers_and_adds_nothing(committed, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_data", *args)
    assert admin_sql("SELECT count(*) FROM users") == [(0,)]
