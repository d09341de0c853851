"""The administrative alias (ops/admin_alias.py), or its absence.

createsuperuser and changepassword run as the administrative role, or say in one
line why not; without the alias every page of the Django admin says so.
"""

import io
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from accounts.tests.factories import two_factor_client
from core.tests.helpers import admin_sql, signed_in_client

TASKS = "/admin/tasks/task/"


@contextmanager
def _without_admin_alias():
    """As on a web deployment without ADMIN_DATABASE_URL."""
    saved = connections.settings.pop("admin")
    try:
        yield
    finally:
        connections.settings["admin"] = saved


def _staff(email):
    with connections["admin"].cursor() as cursor:
        cursor.execute("SELECT is_staff, is_superuser FROM users WHERE email = %s", [email])
        return cursor.fetchall()


def test_createsuperuser_uses_the_administrative_role_without_being_told(committed, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "staff-password-123")

    call_command(
        "createsuperuser", "--noinput", "--email", "boss@example.com", stdout=io.StringIO()
    )

    assert _staff("boss@example.com") == [(True, True)]


@pytest.mark.parametrize("command", ["createsuperuser", "changepassword"])
def test_without_the_administrative_alias_it_ends_in_one_line(committed, command):
    with _without_admin_alias(), pytest.raises(CommandError) as failure:
        call_command(command, "--noinput" if command == "createsuperuser" else "x@example.com")

    assert str(failure.value) == (
        f"ADMIN_DATABASE_URL is not set: {command} needs the administrative role"
    )


def test_createsuperuser_on_the_application_role_ends_in_one_line(committed):
    with pytest.raises(CommandError) as failure:
        call_command("createsuperuser", "--database", "default", "--noinput", "--email", "x@y.z")

    assert str(failure.value) == (
        "createsuperuser needs the administrative role: leave out --database "
        "(it defaults to 'admin')"
    )
    assert _staff("x@y.z") == []


def test_changepassword_finds_the_user_through_the_administrative_role(committed, monkeypatch):
    from accounts.tests.factories import UserFactory

    UserFactory(email="carol@example.com")
    answers = iter(["new-password-456", "new-password-456"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    out = io.StringIO()
    call_command("changepassword", "carol@example.com", stdout=out)

    assert "Password changed successfully for user 'carol@example.com'" in out.getvalue()


def test_without_the_admin_alias_every_admin_page_says_so(admin_people):
    alice, bob, staff, tasks = admin_people
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
        assert signed_in_client(alice).get(TASKS).status_code == 302
    assert admin_sql("SELECT count(*) FROM tasks") == [(2,)]
