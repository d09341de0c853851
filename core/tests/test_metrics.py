"""/metrics: Prometheus text for the bearer of METRICS_TOKEN only; 404 for everyone else."""

import pytest
from django.db import connections
from prometheus_client.parser import text_string_to_metric_families

from core import metrics

TOKEN = "scrape-token-0123456789"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture
def enabled(settings):
    settings.METRICS_TOKEN = TOKEN
    metrics._Slow.computed_at = None  # each test starts with a fresh one-minute cache


def _samples(response) -> dict:
    """{(name, frozenset(labels.items())): value} of a /metrics response."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def _value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": TOKEN}, AUTH],
    ids=["no header", "wrong token", "no scheme", "right token, but metrics off"],
)
def test_it_is_the_sites_404_page_without_the_token(client, settings, headers):
    settings.METRICS_TOKEN = TOKEN if headers is not AUTH else ""

    response = client.get("/metrics", **headers)

    assert response.status_code == 404
    assert response.content == client.get("/no-such-page/").content


@pytest.mark.django_db
def test_it_counts_and_times_requests_per_view(client, alice, enabled):
    client.force_login(alice)
    before = _samples(client.get("/metrics", **AUTH))

    client.get("/tasks/")
    client.get("/tasks/")
    client.generic("FROBNICATE", "/tasks/")
    response = client.get("/metrics", **AUTH)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")  # the text format
    after = _samples(response)
    count = "todo_requests_total"
    labels = {"view": "tasks:list", "method": "GET", "status": "200"}
    assert _value(after, count, **labels) - _value(before, count, **labels) == 2
    # An unknown method does not make a new label value.
    other = {"view": "tasks:list", "method": "other", "status": "405"}
    assert _value(after, count, **other) - _value(before, count, **other) == 1
    timed = "todo_request_duration_seconds_count"
    assert _value(after, timed, view="tasks:list") - _value(before, timed, view="tasks:list") == 3


@pytest.mark.django_db
def test_it_shows_the_database_and_row_level_security(client, enabled):
    samples = _samples(client.get("/metrics", **AUTH))

    assert _value(samples, "todo_db_up") == 1
    assert _value(samples, "todo_rls_problems") == 0
    assert _value(samples, "todo_db_max_connections") >= 10
    assert ("todo_db_app_connections", frozenset({"state": "idle_in_tx"}.items())) in samples
    assert _value(samples, "todo_table_bytes", table="tasks") > 0


def _add_tasks_and_flush_statistics(n):
    with connections["admin"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO users (email, password, email_verified, is_active, is_staff, "
            "is_superuser, created_at, updated_at) "
            "VALUES ('metrics@example.com', '', true, true, false, false, now(), now())"
        )
        cursor.execute(
            "INSERT INTO tasks (user_id, title) SELECT id, 'counted' FROM users, "
            "generate_series(1, %s)",
            [n],
        )
        # Statistics reach other sessions when this one reports them (next idle moment).
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT 1")


def test_row_counts_and_the_rls_check_refresh_at_most_once_a_minute(
    client, committed, enabled, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(metrics, "_now", lambda: clock[0])
    first = _samples(client.get("/metrics", **AUTH))
    rows = _value(first, "todo_table_live_rows", table="tasks")

    _add_tasks_and_flush_statistics(3)
    with connections["admin"].cursor() as cursor:
        cursor.execute("ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY")
    try:
        clock[0] += 59
        cached = _samples(client.get("/metrics", **AUTH))
        clock[0] += 1
        fresh = _samples(client.get("/metrics", **AUTH))
    finally:
        with connections["admin"].cursor() as cursor:
            cursor.execute("ALTER TABLE tasks FORCE ROW LEVEL SECURITY")

    assert _value(cached, "todo_table_live_rows", table="tasks") == rows
    assert _value(cached, "todo_rls_problems") == 0
    assert _value(cached, "todo_slow_metrics_age_seconds") == 59
    assert _value(fresh, "todo_table_live_rows", table="tasks") == rows + 3
    assert _value(fresh, "todo_rls_problems") == 1
    assert _value(fresh, "todo_slow_metrics_age_seconds") == 0


def test_it_still_answers_when_the_database_does_not(client, committed, enabled):
    """The scrape that matters most is the one during an outage: todo_db_up 0, not a 500."""
    connection = connections["default"]
    saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", "1"
    try:
        response = client.get("/metrics", **AUTH)
    finally:
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved

    assert response.status_code == 200
    samples = _samples(response)
    assert _value(samples, "todo_db_up") == 0
    assert _value(samples, "todo_db_connection_open") == 0
