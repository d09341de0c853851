"""The operator command runs on the administrative alias, and deleting an account checks its
foreign keys at COMMIT: committed data only."""

import io
import json
import logging

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import two_factor
from accounts.tests.factories import PASSWORD, UserFactory, enable_two_factor, second_factor
from core.rls import user_context
from core.tests.helpers import admin_sql


def test_the_operator_command_removes_a_second_factor(committed, caplog):
    caplog.set_level(logging.INFO, logger="security")
    user = UserFactory(email="alice@example.com")
    enable_two_factor(user)
    with user_context(user.pk):
        two_factor.new_recovery_codes(user)
    out = io.StringIO()

    call_command("reset_two_factor", "ALICE@example.com", "--dry-run", stdout=out)
    assert "has two-factor sign-in; nothing changed" in out.getvalue()
    assert second_factor(user) == (True, 10)

    call_command("reset_two_factor", "alice@example.com", stdout=out)
    assert "Removed the authenticator app and recovery codes of alice@example.com" in (
        out.getvalue()
    )
    assert second_factor(user) == (False, 0)
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "security"]
    assert [(e["event"], e["user_id"]) for e in events] == [
        ("two_factor.reset_by_operator", str(user.pk))
    ]


def test_the_operator_command_refuses_an_unknown_address(committed):
    with pytest.raises(CommandError, match="No user has the e-mail address"):
        call_command("reset_two_factor", "nobody@example.com", stdout=io.StringIO())


def test_deleting_an_account_removes_its_second_factor(committed):
    # The request acts as the user, whose devices row-level security shows (no one
    # else's): Django's cascade finds and deletes them before the user row.
    user = UserFactory(email="carol@example.com")
    enable_two_factor(user)
    with user_context(user.pk):
        two_factor.new_recovery_codes(user)
    client = Client()
    client.force_login(user)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})

    assert response.url == reverse("home")
    assert admin_sql(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM otp_totp_totpdevice), "
        "(SELECT count(*) FROM otp_static_staticdevice), "
        "(SELECT count(*) FROM otp_static_statictoken)"
    ) == [(0, 0, 0, 0)]
