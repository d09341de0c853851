"""The Django admin: staff work on every user's rows through the administrative alias.

The site's own connection is the application role, confined by row-level
security to the signed-in user's rows; these tests prove the admin reaches
everyone's rows only through the "admin" alias, that non-staff never reach it,
and that without the alias it says so instead of failing. `committed`: the
admin alias cannot be used inside Django's wrapping test transaction.
"""

from contextlib import contextmanager

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from core.rls import user_context
from tasks.models import Task
from tasks.tests.factories import TaskFactory

TASKS = "/admin/tasks/task/"


@pytest.fixture
def people(committed):
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    tasks = {
        "A1": TaskFactory(user=alice, title="A1"),
        "B1": TaskFactory(user=bob, title="B1"),
    }
    # Only the administrative role may make someone staff (tasks migration 0003).
    staff = User.objects.db_manager("admin").create_superuser("staff@example.com", PASSWORD)
    return alice, bob, staff, tasks


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _admin_count(sql, params=()):
    with connections["admin"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@contextmanager
def _without_admin_alias():
    saved = connections.settings.pop("admin")
    try:
        yield
    finally:
        connections.settings["admin"] = saved


def test_staff_see_every_users_tasks(people):
    _, _, staff, _ = people
    response = _client(staff).get(TASKS)
    assert response.status_code == 200
    assert {t.title for t in response.context["cl"].result_list} == {"A1", "B1"}


def test_staff_see_every_user_with_their_task_counts(people):
    alice, bob, staff, _ = people
    response = _client(staff).get("/admin/accounts/user/")
    counts = {u.email: u.task_count for u in response.context["cl"].result_list}
    assert counts == {alice.email: 1, bob.email: 1, staff.email: 0}


@pytest.mark.parametrize("extra_users", [0, 20])
def test_the_user_list_costs_seven_queries_for_any_number_of_users(people, extra_users):
    _, _, staff, _ = people
    client = _client(staff)
    for user in UserFactory.create_batch(extra_users):
        TaskFactory(user=user)

    with (
        CaptureQueriesContext(connections["admin"]) as admin,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        assert client.get("/admin/accounts/user/").status_code == 200

    # default: BEGIN, session, set the RLS user, the staff user, COMMIT;
    # admin: the count, the page of users with their task counts (one
    # correlated sub-query, not one query per user)
    assert (len(default), len(admin)) == (5, 2)


def test_staff_edit_another_users_task(people):
    _, bob, staff, tasks = people
    client = _client(staff)
    url = f"{TASKS}{tasks['B1'].pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"user": bob.pk, "title": "B1 edited", "description": "", "completed": "on"}
    )
    assert response.status_code == 302, response.context["adminform"].errors
    with user_context(bob.pk):
        task = Task.objects.get(pk=tasks["B1"].pk)
    assert (task.title, task.completed) == ("B1 edited", True)
    # The action log is the staff member's own (RLS): read it as the administrative role.
    assert LogEntry.objects.using("admin").filter(object_id=str(task.pk), user=staff).exists()


def test_staff_delete_another_users_task(people):
    _, _, staff, tasks = people
    response = _client(staff).post(f"{TASKS}{tasks['B1'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _admin_count("SELECT count(*) FROM tasks WHERE id = %s", [tasks["B1"].pk]) == 0
    assert _admin_count("SELECT count(*) FROM tasks") == 1


def test_staff_find_any_user_in_the_owner_autocomplete(people):
    _, bob, staff, _ = people
    response = _client(staff).get(
        "/admin/autocomplete/",
        {"app_label": "tasks", "model_name": "task", "field_name": "user", "term": "bob"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(bob.pk)]


def test_staff_sign_in_through_the_admin_login_form(people):
    # Sign-in writes last_login on the user's own row, which RLS allows only
    # under that user's context.
    _, _, staff, _ = people
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get(TASKS).status_code == 200
    assert User.objects.using("admin").get(pk=staff.pk).last_login is not None


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_non_staff_are_sent_to_the_admin_login(people, who):
    alice, _, _, tasks = people
    client = Client() if who == "anonymous" else _client(alice)
    for url in (TASKS, f"{TASKS}{tasks['A1'].pk}/change/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_without_the_admin_alias_every_admin_page_says_so(people):
    alice, bob, staff, tasks = people
    client = _client(staff)
    pages = [
        TASKS,
        f"{TASKS}add/",
        f"{TASKS}{tasks['B1'].pk}/change/",
        f"{TASKS}{tasks['B1'].pk}/delete/",
        f"{TASKS}{tasks['B1'].pk}/history/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{bob.pk}/change/",
        f"/admin/accounts/user/{bob.pk}/password/",
    ]
    with _without_admin_alias():
        for url in pages:
            response = client.get(url)
            assert response.status_code == 503, url
            assert b"ADMIN_DATABASE_URL is not set" in response.content
        assert client.post(f"{TASKS}{tasks['B1'].pk}/delete/", {"post": "yes"}).status_code == 503
        assert client.get("/admin/").status_code == 200  # the index itself still works
        # Non-staff learn nothing about the configuration.
        assert _client(alice).get(TASKS).status_code == 302
    assert _admin_count("SELECT count(*) FROM tasks") == 2
