"""The Django admin: staff work on every user's rows through the administrative alias.

The site's own connection is the application role, confined by row-level
security to the signed-in user's rows; these tests prove the admin reaches
everyone's rows only through the "admin" alias, that non-staff never reach it,
and that without the alias it says so instead of failing. `committed`: the
admin alias cannot be used inside Django's wrapping test transaction.
"""

import io
import json
import logging
from contextlib import contextmanager

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ThrottleEvent, User
from accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    enable_two_factor,
    totp_code,
    two_factor_client,
)
from core.rls import user_context
from core.tests.site_urls import INLINE_SCRIPT, INLINE_STYLE
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
    response = two_factor_client(staff).get(TASKS)
    assert response.status_code == 200
    assert {t.title for t in response.context["cl"].result_list} == {"A1", "B1"}


def test_staff_see_every_user_with_their_task_counts(people):
    alice, bob, staff, _ = people
    response = two_factor_client(staff).get("/admin/accounts/user/")
    counts = {u.email: u.task_count for u in response.context["cl"].result_list}
    assert counts == {alice.email: 1, bob.email: 1, staff.email: 0}


@pytest.mark.parametrize("extra_users", [0, 20])
def test_the_user_list_costs_seven_queries_for_any_number_of_users(people, extra_users):
    _, _, staff, _ = people
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


def test_staff_edit_another_users_task(people):
    _, bob, staff, tasks = people
    client = two_factor_client(staff)
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
    response = two_factor_client(staff).post(f"{TASKS}{tasks['B1'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _admin_count("SELECT count(*) FROM tasks WHERE id = %s", [tasks["B1"].pk]) == 0
    assert _admin_count("SELECT count(*) FROM tasks") == 1


def test_staff_find_any_user_in_the_owner_autocomplete(people):
    _, bob, staff, _ = people
    response = two_factor_client(staff).get(
        "/admin/autocomplete/",
        {"app_label": "tasks", "model_name": "task", "field_name": "user", "term": "bob"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(bob.pk)]


def test_staff_sign_in_through_the_sites_sign_in_with_two_factors(people, caplog):
    # Sign-in writes last_login on the user's own row, which RLS allows only
    # under that user's context.
    _, _, staff, _ = people
    device = enable_two_factor(staff)
    client = Client()
    caplog.set_level(logging.INFO, logger="security")

    to_login = client.get("/admin/login/?next=/admin/tasks/task/")
    assert to_login.url == "/accounts/login/?next=%2Fadmin%2Ftasks%2Ftask%2F"
    password = client.post(to_login.url, {"username": staff.email, "password": PASSWORD})
    assert password.url == "/accounts/login/two-factor/"
    assert client.get(TASKS).status_code == 302  # the password alone opens nothing
    code = client.post(password.url, {"code": totp_code(device)})

    assert code.status_code == 302 and code.url == TASKS
    assert client.get(TASKS).status_code == 200
    assert User.objects.using("admin").get(pk=staff.pk).last_login is not None
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "security"]
    assert [(e["event"], e["user_id"]) for e in events] == [
        ("login.success", str(staff.pk)),
        ("admin.login", str(staff.pk)),
    ]
    assert events[0]["staff"] is True and events[0]["two_factor"] == "totp"


def test_the_admin_login_form_itself_signs_nobody_in(people):
    _, _, staff, _ = people
    client = Client()

    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_without_a_second_factor_are_sent_to_set_one_up(people):
    _, _, staff, _ = people
    client = Client()
    client.force_login(staff)

    response = client.get(TASKS, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/two-factor/setup/"
    assert b"Staff must turn on two-factor sign-in" in response.content


def test_staff_signed_in_with_the_password_alone_must_sign_in_again(people):
    _, _, staff, _ = people
    enable_two_factor(staff)
    client = Client()
    client.force_login(staff)  # a session that never passed the second factor

    response = client.get(TASKS, follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_removed_second_factor_closes_the_admin_at_once(people):
    _, _, staff, _ = people
    client = two_factor_client(staff)
    assert client.get(TASKS).status_code == 200

    call_command("reset_two_factor", staff.email, stdout=io.StringIO())

    closed = client.get(TASKS)
    assert closed.status_code == 302
    assert closed.url.startswith("/admin/login/")


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
    client = two_factor_client(staff)
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


def test_admin_pages_send_the_security_headers_and_hold_no_inline_code(people):
    _, _, staff, _ = people
    client = two_factor_client(staff)
    for url in ("/admin/", TASKS, "/admin/accounts/user/", "/admin/accounts/throttleevent/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"], url
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page), url
        assert not INLINE_STYLE.search(page), url


def test_staff_see_who_is_locked_and_lift_the_lock(people):
    alice, _, staff, _ = people
    stranger = Client()
    for _ in range(5):
        stranger.post("/accounts/login/", {"username": alice.email, "password": "wrong"})
    assert (
        stranger.post(
            "/accounts/login/", {"username": alice.email, "password": PASSWORD}
        ).status_code
        == 429
    )
    client = two_factor_client(staff)

    listing = client.get("/admin/accounts/throttleevent/?recent=window")
    assert listing.content.count(alice.email.encode()) >= 5
    ids = list(ThrottleEvent.objects.values_list("pk", flat=True)[:1])
    lifted = client.post(
        "/admin/accounts/throttleevent/",
        {"action": "lift_sign_in_locks", "_selected_action": ids},
        follow=True,
    )

    assert b"Lifted the sign-in locks of 1 address" in lifted.content
    assert not ThrottleEvent.objects.filter(email=alice.email).exists()
    assert (
        stranger.post(
            "/accounts/login/", {"username": alice.email, "password": PASSWORD}
        ).status_code
        == 302
    )
