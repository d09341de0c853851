"""The spec's query patterns use an index on a large table (EXPLAIN, not timing).

Run by `make bench` after the data of test_latency is generated in the same
session, so the planner sees realistic statistics.
"""

import pytest
from django.core.management import call_command
from django.db import connections

from accounts.models import User
from todo_site.rls import user_context

PATTERNS = {
    "1 a user's tasks, newest first": (
        "SELECT * FROM tasks WHERE user_id = %(u)s ORDER BY created_at DESC, id DESC LIMIT 50"
    ),
    "2 a user's incomplete tasks, newest first": (
        "SELECT * FROM tasks WHERE user_id = %(u)s AND NOT completed "
        "ORDER BY created_at DESC LIMIT 50"
    ),
    "4 update where id and user match": (
        "UPDATE tasks SET title = 'x' WHERE id = %(t)s AND user_id = %(u)s"
    ),
    "5 toggle where id and user match": (
        "UPDATE tasks SET completed = NOT completed WHERE id = %(t)s AND user_id = %(u)s"
    ),
    "6 delete where id and user match": "DELETE FROM tasks WHERE id = %(t)s AND user_id = %(u)s",
    "7 count by status": (
        "SELECT completed, count(*) FROM tasks WHERE user_id = %(u)s GROUP BY completed"
    ),
}


@pytest.fixture(scope="module")
def heavy_user(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command(
            "generate_data", "--users", "300", "--tasks-per-user", "300", "--seed", "3", verbosity=0
        )
        with connections["admin"].cursor() as cursor:
            cursor.execute("ANALYZE")
        yield User.objects.using("admin").order_by("created_at").first()
        connections.close_all()
        with connections["admin"].cursor() as cursor:
            cursor.execute("TRUNCATE users CASCADE")


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_pattern_uses_an_index(heavy_user, django_db_blocker, pattern):
    with (
        django_db_blocker.unblock(),
        user_context(heavy_user.pk),
        connections["default"].cursor() as cursor,
    ):
        cursor.execute("SELECT id FROM tasks LIMIT 1")
        task_id = cursor.fetchone()[0]
        cursor.execute("EXPLAIN " + PATTERNS[pattern], {"u": heavy_user.pk, "t": task_id})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\n{pattern}:\n{plan}")
    assert "Seq Scan on tasks" not in plan
    assert "Index" in plan
