"""A request's COMMIT is answered while its response is built, and the response
waits for that answer (core/postgresql/base.py, core.middleware.AwaitCommitMiddleware).

Real commits here: no wrapping test transaction.
"""

import pytest
from django.db import connection, connections, transaction
from psycopg import pq

from accounts.tests.factories import UserFactory
from core.rls import user_context
from core.tests.helpers import admin_sql, signed_in_client
from tasks.models import Task

pytestmark = [pytest.mark.usefixtures("committed"), pytest.mark.urls("core.tests.rls_urls")]


def _status():
    return connection.connection.pgconn.transaction_status


def test_a_deferred_commit_is_sent_and_answered_only_when_asked():
    user = UserFactory()
    with connection.defer_commit_wait(), transaction.atomic(), user_context(user.pk):
        Task.objects.create(user=user, title="deferred")
    # Sent: the server is busy with it, and this connection has not read its answer.
    assert _status() == pq.TransactionStatus.ACTIVE
    connection.wait_commit()
    assert _status() == pq.TransactionStatus.IDLE
    assert connection.get_autocommit() and connection.connection.autocommit
    assert admin_sql("SELECT title FROM tasks WHERE user_id = %s", [user.pk]) == [("deferred",)]


def test_using_the_connection_first_reads_the_answer():
    user = UserFactory()
    with connection.defer_commit_wait(), transaction.atomic(), user_context(user.pk):
        Task.objects.create(user=user, title="deferred")
    with user_context(user.pk):
        assert list(Task.objects.values_list("title", flat=True)) == ["deferred"]
    assert _status() == pq.TransactionStatus.IDLE


def test_only_the_marked_connection_defers():
    user = UserFactory()
    admin = connections["admin"]
    with connection.defer_commit_wait(), transaction.atomic(using="admin"):
        Task.objects.using("admin").create(user=user, title="not deferred")
    assert admin.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE


def test_a_commit_that_fails_after_the_view_answered_becomes_a_500_and_saves_nothing():
    user = UserFactory()
    client = signed_in_client(user, raise_request_exception=False)

    response = client.get("/rls/write-then-fail-at-commit/")

    # The view said "Task saved."; the COMMIT refused it (a deferred foreign
    # key), so the response that leaves is the error page, which says so.
    assert response.status_code == 500
    assert b"Task saved." not in response.content
    assert b"Nothing you sent was saved." in response.content
    assert admin_sql("SELECT count(*) FROM tasks WHERE user_id = %s", [user.pk]) == [(0,)]
    # The connection is back in autocommit, as Django believes it is, and serves
    # the next request.
    assert connection.get_autocommit() and connection.connection.autocommit
    assert client.get("/rls/unfiltered/").json()["titles"] == []


def test_on_commit_callbacks_run_after_the_commit_has_answered():
    user = UserFactory()
    response = signed_in_client(user).get("/rls/write-with-on-commit/")
    assert response.status_code == 200
    assert response.wsgi_request.commit_answered == [True]
