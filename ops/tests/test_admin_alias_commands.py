"""createsuperuser and changepassword run as the administrative role, or say in one line why not."""

import io
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connections


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
