import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_healthz_answers_ok_without_touching_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert queries.captured_queries == []


@pytest.mark.django_db
def test_readyz_is_200_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ready"


@pytest.mark.django_db
def test_readyz_is_503_when_a_migration_is_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["0099_new"])

    response = client.get("/readyz")

    assert response.status_code == 503
    assert b"1 migration(s) pending" in response.content


def test_probes_answer_plain_http_even_where_https_is_enforced(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
