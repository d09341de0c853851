"""Row-level security through real requests (RLSContextMiddleware), as the application role.

These tests use `committed`: no test transaction wraps the requests, so each
request's own transaction really commits, and its context really ends, exactly
as in production. The views in rls_views.py deliberately forget to filter by
user; the database must do it for them.
"""

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from core.tests.helpers import admin_sql, signed_in_client
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.urls("core.tests.rls_urls")


@pytest.fixture
def people(committed):
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    for title in ("A1", "A2"):
        TaskFactory(user=alice, title=title)
    TaskFactory(user=bob, title="B1")
    return alice, bob


def test_an_unfiltered_view_shows_only_the_signed_in_users_tasks(people):
    alice, bob = people
    for user, titles in ((alice, ["A1", "A2"]), (bob, ["B1"])):
        body = signed_in_client(user).get("/rls/unfiltered/").json()
        assert body["titles"] == titles
        assert body["rls_user"] == str(user.pk)


def test_raw_sql_without_where_shows_only_the_signed_in_users_tasks(people):
    alice, _ = people
    assert signed_in_client(alice).get("/rls/raw/").json()["titles"] == ["A1", "A2"]


def test_an_anonymous_request_sees_no_task(people):
    body = Client().get("/rls/unfiltered/").json()
    assert body["titles"] == []
    assert body["rls_user"] is None


def test_a_lazily_rendered_template_still_sees_the_users_rows(people):
    # The QuerySet is evaluated by TemplateResponse.render(), after the view
    # returned: ATOMIC_REQUESTS would have committed (and lost the context) by then.
    alice, _ = people
    response = signed_in_client(alice).get("/rls/lazy/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<li>A1</li><li>A2</li>" in html
    assert "B1" not in html
    assert f"<p id='user'>{alice.pk}</p>" in html
    assert "<p id='atomic'>True</p>" in html


def test_the_next_request_on_the_same_connection_has_no_context(people):
    # The test client keeps the thread's connection open between requests, as
    # a persistent connection or a pooler would.
    alice, _ = people
    first = signed_in_client(alice).get("/rls/unfiltered/").json()
    second = Client().get("/rls/unfiltered/").json()
    assert second["backend_pid"] == first["backend_pid"]
    assert first["titles"] == ["A1", "A2"]
    assert (second["titles"], second["setting"], second["rls_user"]) == ([], "", None)


def test_a_user_switch_inside_a_request_lasts_for_the_rest_of_that_request(people):
    # What sign-in does: an anonymous request calls set_rls_user() within the
    # middleware's transaction.
    alice, _ = people
    body = Client().get("/rls/switch-user/", {"user": str(alice.pk)}).json()
    assert body == {"before": [], "after": ["A1", "A2"], "atomic": True}
    assert Client().get("/rls/unfiltered/").json()["titles"] == []


@pytest.mark.parametrize("path", ["/rls/write-then-fail/", "/rls/write-then-raise/"])
def test_a_5xx_response_rolls_back_the_requests_writes(people, path):
    alice, _ = people
    client = signed_in_client(alice, raise_request_exception=False)
    assert client.get(path).status_code == 500
    assert client.get("/rls/unfiltered/").json()["titles"] == ["A1", "A2"]


def test_healthz_opens_no_database_connection(committed):
    connection.close()
    assert Client().get("/healthz").content == b"ok"
    assert connection.connection is None


def test_signing_in_records_last_login_on_the_users_own_row(people):
    # update_last_login writes the user's own row, which RLS allows only as that
    # user (accounts/apps.py runs it under the user's context).
    alice, _ = people
    assert Client().login(username=alice.email, password=PASSWORD)
    response = Client().post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.using("admin").get(pk=alice.pk).last_login is not None


def test_code_after_a_request_on_the_same_connection_sees_no_task(people):
    # What runs on a worker's connection between requests (a signal handler, a
    # management command in the same process) must not inherit the last user.
    alice, bob = people
    signed_in_client(alice).get("/rls/unfiltered/")
    last = signed_in_client(bob).get("/rls/unfiltered/").json()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid(), NULLIF(current_setting('app.current_user_id', true), '')"
        )
        assert cursor.fetchone() == (last["backend_pid"], None)
    assert Task.objects.count() == 0
    # ...although every row is there.
    assert admin_sql("SELECT count(*) FROM tasks") == [(3,)]
