"""The operator command runs on the administrative alias: committed data only."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts import two_factor
from accounts.tests.factories import UserFactory, enable_two_factor


def test_the_operator_command_removes_a_second_factor(committed):
    user = UserFactory(email="alice@example.com")
    enable_two_factor(user)
    two_factor.new_recovery_codes(user)
    out = io.StringIO()

    call_command("reset_two_factor", "ALICE@example.com", "--dry-run", stdout=out)
    assert "has two-factor sign-in; nothing changed" in out.getvalue()
    assert two_factor.is_enabled(user)

    call_command("reset_two_factor", "alice@example.com", stdout=out)
    assert "Removed the authenticator app and recovery codes of alice@example.com" in (
        out.getvalue()
    )
    assert not two_factor.is_enabled(user)
    assert two_factor.recovery_codes_left(user) == 0


def test_the_operator_command_refuses_an_unknown_address(committed):
    with pytest.raises(CommandError, match="No user has the e-mail address"):
        call_command("reset_two_factor", "nobody@example.com", stdout=io.StringIO())
