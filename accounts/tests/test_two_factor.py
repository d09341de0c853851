import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    enable_two_factor,
    second_factor,
    totp_code,
)
from core.rls import user_context

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
MANAGE = reverse("accounts:two_factor")
LOGIN = reverse("login")
STEP = reverse("accounts:login_two_factor")


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com")


@pytest.fixture
def no_device_delay(settings):
    # django-otp also slows repeated wrong codes down (1 s, 2 s, ...); these
    # tests are about our counters, not its back-off.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _password_step(client, email="alice@example.com", **extra):
    return client.post(LOGIN, {"username": email, "password": PASSWORD}, **extra)


def _set_up(client, user):
    client.force_login(user)
    page = client.get(SETUP)
    with user_context(user.pk):
        device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": totp_code(device)})
    return page, response


def test_turning_it_on_shows_a_server_drawn_qr_code_then_recovery_codes(client, user):
    page, response = _set_up(client, user)

    assert b'<img class="qr-code" src="data:image/svg+xml;base64,' in page.content
    assert b"<script" not in page.content
    assert response.status_code == 200
    assert b"Your recovery codes" in response.content
    assert second_factor(user) == (True, 10)
    assert client.session[two_factor.VERIFIED_KEY] is True


def test_a_wrong_code_does_not_turn_it_on(client, user):
    client.force_login(user)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.context["form"].has_error("code", code="invalid")
    assert second_factor(user) == (False, 0)


def test_sign_in_needs_the_code_after_the_password(client, user):
    device = enable_two_factor(user)

    password = _password_step(client)

    assert password.url == STEP
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("tasks:list")).status_code == 302
    response = client.post(STEP, {"code": totp_code(device)})
    assert response.url == reverse("tasks:list")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_app_code_signs_in_once(client, user, no_device_delay):
    device = enable_two_factor(user)
    code = totp_code(device)
    _password_step(client)
    assert client.post(STEP, {"code": code}).url == reverse("tasks:list")
    client.logout()

    _password_step(client)
    replayed = client.post(STEP, {"code": code})

    assert replayed.context["form"].has_error("code", code="invalid")
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client, user):
    enable_two_factor(user)
    with user_context(user.pk):
        codes = two_factor.new_recovery_codes(user)

    _password_step(client)
    first = client.post(STEP, {"code": codes[0].upper()}, follow=True)
    assert b"You used a recovery code: 9 left." in first.content
    client.logout()

    _password_step(client)
    again = client.post(STEP, {"code": codes[0]})
    assert again.context["form"].has_error("code", code="invalid")


def test_wrong_codes_count_like_wrong_passwords(client, user, no_device_delay):
    device = enable_two_factor(user)
    _password_step(client)
    for _ in range(5):
        assert client.post(STEP, {"code": "123456"}).status_code == 200

    locked = client.post(STEP, {"code": totp_code(device)})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The password step is locked too: it is one counter for every way in.
    assert _password_step(client).status_code == 429


def test_the_right_password_does_not_reset_the_count_of_wrong_codes(client, user):
    enable_two_factor(user)
    for _ in range(5):
        _password_step(client)
        client.post(STEP, {"code": "abcdefgh"})

    assert _password_step(client).status_code == 429


def test_the_code_step_expires_after_five_minutes(client, user, monkeypatch):
    device = enable_two_factor(user)
    _password_step(client)
    later = time.time() + two_factor.PENDING_MAX_AGE + 1
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.post(STEP, {"code": totp_code(device)})

    assert response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_a_password_sends_to_sign_in(client):
    assert client.get(STEP).url == LOGIN


def test_new_recovery_codes_and_turning_off_need_the_password(client, user):
    client.force_login(user)
    enable_two_factor(user)
    with user_context(user.pk):
        old = two_factor.new_recovery_codes(user)

    refused = client.post(MANAGE, {"action": "disable", "password": "wrong"})
    assert refused.context["form"].has_error("password", code="password_incorrect")
    assert second_factor(user) == (True, 10)

    renewed = client.post(MANAGE, {"action": "codes", "password": PASSWORD})
    assert b"Your recovery codes" in renewed.content
    assert old[0].encode() not in renewed.content
    assert second_factor(user) == (True, 10)

    off = client.post(MANAGE, {"action": "disable", "password": PASSWORD})
    assert off.url == reverse("accounts:profile")
    assert second_factor(user) == (False, 0)


def test_the_profile_says_whether_it_is_on(client, user):
    client.force_login(user)
    assert (
        b'Two-factor sign-in</a>\n      <span class="badge">off'
        in client.get(reverse("accounts:profile")).content
    )
    enable_two_factor(user)
    assert b'<span class="badge badge-ok">on' in client.get(reverse("accounts:profile")).content
