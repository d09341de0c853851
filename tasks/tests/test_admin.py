"""The Django admin's task pages: staff see and change every user's tasks.

The site's own connection is the application role, confined by row-level
security to the signed-in user's rows; staff reach everyone's rows only through
the administrative alias (ops/admin_alias.py). `committed` (in `admin_people`):
the admin alias cannot be used inside Django's wrapping test transaction.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connections
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory, two_factor_client
from core.rls import user_context
from core.tests.helpers import admin_sql
from tasks.models import Task
from tasks.tests.factories import TaskFactory

TASKS = "/admin/tasks/task/"


def test_staff_see_every_users_tasks(admin_people):
    _, _, staff, _ = admin_people
    response = two_factor_client(staff).get(TASKS)
    assert response.status_code == 200
    assert {t.title for t in response.context["cl"].result_list} == {"A1", "B1"}


def test_staff_see_every_user_with_their_task_counts(admin_people):
    alice, bob, staff, _ = admin_people
    response = two_factor_client(staff).get("/admin/accounts/user/")
    counts = {u.email: u.task_count for u in response.context["cl"].result_list}
    assert counts == {alice.email: 1, bob.email: 1, staff.email: 0}


@pytest.mark.parametrize("extra_users", [0, 20])
def test_the_user_list_costs_seven_queries_for_any_number_of_users(admin_people, extra_users):
    _, _, staff, _ = admin_people
    client = two_factor_client(staff)
    for user in UserFactory.create_batch(extra_users):
        TaskFactory(user=user)

    with (
        CaptureQueriesContext(connections["admin"]) as admin,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        assert client.get("/admin/accounts/user/").status_code == 200

    # default: BEGIN, session, set the RLS user, the staff user, the staff
    # member's second factor still there (twice: the admin's view guard and
    # the page's context both ask has_permission), COMMIT;
    # admin: the count, the page of users with their task counts (one
    # correlated sub-query, not one query per user)
    assert (len(default), len(admin)) == (7, 2)


def test_staff_edit_another_users_task(admin_people):
    _, bob, staff, tasks = admin_people
    client = two_factor_client(staff)
    url = f"{TASKS}{tasks['B1'].pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "user": bob.pk,
            "title": "B1 edited",
            "description": "",
            "completed": "on",
            "priority": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    with user_context(bob.pk):
        task = Task.objects.get(pk=tasks["B1"].pk)
    assert (task.title, task.completed) == ("B1 edited", True)
    # The action log is the staff member's own (RLS): read it as the administrative role.
    assert LogEntry.objects.using("admin").filter(object_id=str(task.pk), user=staff).exists()


@pytest.mark.parametrize(
    ("field", "value"), [("title", "   "), ("priority", "7")], ids=["blank title", "priority 7"]
)
def test_staff_get_a_form_error_for_what_the_checks_refuse(admin_people, field, value):
    # The admin's form applies the rules of the CHECK constraints itself (Django's own
    # re-check by query is off: tasks.models.Task.validate_constraints).
    _, bob, staff, tasks = admin_people
    url = f"{TASKS}{tasks['B1'].pk}/change/"
    data = {"user": bob.pk, "title": "B1 edited", "description": "", "priority": "0"}
    response = two_factor_client(staff).post(url, {**data, field: value})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert admin_sql("SELECT title FROM tasks WHERE id = %s", [tasks["B1"].pk]) == [("B1",)]


def test_staff_delete_another_users_task(admin_people):
    _, _, staff, tasks = admin_people
    response = two_factor_client(staff).post(f"{TASKS}{tasks['B1'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert admin_sql("SELECT count(*) FROM tasks WHERE id = %s", [tasks["B1"].pk]) == [(0,)]
    assert admin_sql("SELECT count(*) FROM tasks") == [(1,)]


def test_staff_find_any_user_in_the_owner_autocomplete(admin_people):
    _, bob, staff, _ = admin_people
    response = two_factor_client(staff).get(
        "/admin/autocomplete/",
        {"app_label": "tasks", "model_name": "task", "field_name": "user", "term": "bob"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(bob.pk)]
