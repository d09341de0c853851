"""Security events: one JSON line each, with event, user id, client address and
request id, and never a password, token, full e-mail address or mail body."""

import json
import logging
import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.tests.factories import PASSWORD, UserFactory, enable_two_factor, totp_code
from core.rls import user_context

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="security")

    def read():
        lines = [r.getMessage() for r in caplog.records if r.name == "security"]
        for line in lines:
            for secret in (PASSWORD, NEW, "alice@example.com", "wrong password"):
                assert secret not in line
        return [json.loads(line) for line in lines]

    return read


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com")


def _sign_in(client, password=PASSWORD):
    return client.post(reverse("login"), {"username": "alice@example.com", "password": password})


def test_sign_in_failure_lockout_and_success_are_logged(client, user, events):
    for _ in range(5):
        _sign_in(client, "wrong password")
    _sign_in(client)
    client.post(reverse("login"), {"username": "bob@example.com", "password": PASSWORD})
    client.post(reverse("login"), {"username": "bob@example.com", "password": PASSWORD})

    logged = events()
    assert [e["event"] for e in logged] == ["login.failure"] * 5 + ["login.locked"] + [
        "login.failure"
    ] * 2
    first = logged[0]
    assert first["ip"] == "127.0.0.1"
    assert re.fullmatch(r"[0-9a-f]{32}", first["request_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["at"])
    assert re.fullmatch(r"[0-9a-f]{16}", first["email"])  # a keyed digest, not the address
    assert logged[5]["lock"] == "address"


def test_a_successful_sign_in_names_the_user_and_the_request(client, user, events):
    response = _sign_in(client)

    (event,) = events()
    assert event["event"] == "login.success"
    assert event["user_id"] == str(user.pk)
    assert event["staff"] is False
    assert event["request_id"] == response["X-Request-ID"]


def test_password_change_and_reset_are_logged(client, user, events):
    client.force_login(user)
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    client.logout()
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW + "!", "new_password2": NEW + "!"})

    logged = events()
    assert [e["event"] for e in logged] == [
        "password.change",
        "password.reset_requested",
        "password.reset",
    ]
    assert logged[0]["user_id"] == logged[2]["user_id"] == str(user.pk)
    token = link.rstrip("/").split("/")[-1]
    assert all(token not in json.dumps(e) for e in logged)


def test_verification_two_factor_and_deletion_are_logged(client, user, events):
    token = services.make_token(user)
    client.get(reverse("accounts:verify", args=[token]))
    device = enable_two_factor(user)
    _sign_in(client)
    client.post(reverse("accounts:login_two_factor"), {"code": totp_code(device)})
    client.post(reverse("accounts:two_factor"), {"action": "disable", "password": PASSWORD})
    client.post(reverse("accounts:delete"), {"password": PASSWORD})

    logged = events()
    assert [e["event"] for e in logged] == [
        "email.verified",
        "login.success",
        "two_factor.disabled",
        "account.deleted",
    ]
    assert logged[1]["two_factor"] == "totp"
    assert {e["user_id"] for e in logged} == {str(user.pk)}
    assert all(token not in json.dumps(e) for e in logged)


def test_turning_two_factor_on_new_codes_and_signing_out_everywhere_are_logged(
    client, user, events
):
    client.force_login(user)
    client.get(reverse("accounts:two_factor_setup"))
    with user_context(user.pk):
        device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)})
    codes = client.post(reverse("accounts:two_factor"), {"action": "codes", "password": PASSWORD})
    client.post(reverse("accounts:sign_out_everywhere"), {"everywhere-password": PASSWORD})

    logged = events()
    assert [e["event"] for e in logged] == [
        "two_factor.enabled",
        "two_factor.recovery_codes_renewed",
        "sessions.ended_everywhere",
    ]
    assert {e["user_id"] for e in logged} == {str(user.pk)}
    # The recovery codes shown on the page are in no line.
    shown = codes.context["codes"]
    assert len(shown) == 10
    assert all(code.encode() in codes.content and code not in json.dumps(logged) for code in shown)
