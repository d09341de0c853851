import re
from datetime import timedelta

import pytest
from django.contrib.auth import hashers
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ThrottleEvent, User
from accounts.tests.factories import PASSWORD, UserFactory, stored

pytestmark = pytest.mark.django_db

URL = reverse("login")


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com")


def _sixteen_minutes_later(monkeypatch):
    later = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)


def _sign_in(client, email="alice@example.com", password=PASSWORD, ip="127.0.0.1", **data):
    return client.post(URL, {"username": email, "password": password, **data}, REMOTE_ADDR=ip)


def _signed_in_as(client, user) -> bool:
    """The client's session belongs to `user` (a 302 alone could be any redirect)."""
    return client.session.get("_auth_user_id") == str(user.pk)


def test_it_signs_in_with_the_email_in_any_case_and_changes_the_session_key(client, user):
    client.get(URL)
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None

    response = _sign_in(client, email="  Alice@Example.com")

    assert response.status_code == 302
    assert response.url == reverse("tasks:list")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.cookies["sessionid"].value != before
    assert stored(user).last_login is not None


def test_a_wrong_password_shows_the_form_again(client, user):
    response = _sign_in(client, password="wrong")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Please enter a correct email and password" in response.content


def test_the_username_field_is_labelled_email(client):
    response = client.get(URL)

    assert b'<label for="id_username">Email</label>' in response.content


def test_next_is_honoured_for_local_urls(client, user):
    response = _sign_in(client, next="/accounts/profile/")

    assert response.url == "/accounts/profile/"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "http:///evil.example", "\\\\evil.example"]
)
def test_next_never_leaves_the_site(client, user, evil):
    response = _sign_in(client, next=evil)

    assert response.status_code == 302
    assert response.url == reverse("tasks:list")


def test_five_failures_lock_that_address_from_that_client_with_429_until_the_window_passes(
    client, user, monkeypatch
):
    for _ in range(5):
        assert _sign_in(client, password="wrong").status_code == 200

    locked = _sign_in(client)  # even the right password is refused now

    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts for this e-mail address" in locked.content
    assert b"a completed reset lifts this lock" in locked.content
    assert "_auth_user_id" not in client.session
    # Another address from the same client is not locked by this e-mail's failures.
    UserFactory(email="carol@example.com")
    assert _sign_in(client, email="carol@example.com").status_code == 302
    client.logout()

    _sixteen_minutes_later(monkeypatch)

    assert _sign_in(client).status_code == 302


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(client, user):
    for _ in range(10):
        _sign_in(client, password="wrong", ip="203.0.113.9")
    assert _sign_in(client, ip="203.0.113.9").status_code == 429

    assert _sign_in(client, ip="198.51.100.7").status_code == 302
    assert _signed_in_as(client, user)


@pytest.mark.slow  # fifty sign-ins
def test_fifty_failures_from_many_clients_lock_the_email_everywhere(client, user):
    for n in range(50):
        _sign_in(client, password="wrong", ip=f"10.0.{n // 4}.{n % 4 + 1}")

    assert _sign_in(client, ip="198.51.100.7").status_code == 429


def test_twenty_failures_from_one_client_lock_that_client_and_say_only_waiting_helps(client, user):
    for n in range(20):
        _sign_in(client, email=f"nobody{n}@example.com", password="wrong")

    locked = _sign_in(client)
    assert locked.status_code == 429
    assert b"from your network. Wait 15 minutes" in locked.content
    assert b"reset" not in locked.content.split(b"form-errors")[1].split(b"</div>")[0]
    assert _sign_in(client, ip="10.9.9.9").status_code == 302


def test_a_locked_sign_in_never_checks_the_password(client, user, monkeypatch):
    for _ in range(5):
        _sign_in(client, password="wrong")
    checked = []
    monkeypatch.setattr(User, "check_password", lambda self, raw: checked.append(raw))
    monkeypatch.setattr(hashers, "make_password", lambda *a, **k: checked.append(a))

    assert _sign_in(client).status_code == 429
    assert checked == []


@pytest.mark.slow  # fifty sign-ins, then a reset
def test_a_completed_password_reset_lifts_every_lock_on_the_email(client, user):
    for n in range(50):
        _sign_in(client, password="wrong", ip=f"10.1.{n // 4}.{n % 4 + 1}")
    assert _sign_in(client).status_code == 429

    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a new and longer passphrase"
    client.post(set_url, {"new_password1": new, "new_password2": new})

    assert _sign_in(client, password=new, ip="10.1.0.1").status_code == 302
    assert _signed_in_as(client, user)


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("a" * 5000 + "@example.com", "max_length"),
        ("alice\x00@example.com", "null_characters_not_allowed"),
        ("alice@example.com\r\nX: y", "control_characters"),
    ],
)
def test_a_hostile_email_gets_a_form_message_and_reaches_no_table(client, user, email, code):
    response = _sign_in(client, email=email)

    assert response.status_code == 200
    assert response.context["form"].has_error("username", code=code)
    assert not ThrottleEvent.objects.exists()


def test_a_user_with_an_old_short_password_still_signs_in(client):
    old = UserFactory(email="old@example.com", password="eightch1")  # before the 12 minimum

    assert _sign_in(client, email=old.email, password="eightch1").status_code == 302
    assert _signed_in_as(client, old)


def test_a_successful_sign_in_clears_that_pairs_failures(client, user):
    for _ in range(4):
        _sign_in(client, password="wrong")
    assert _sign_in(client).status_code == 302
    client.logout()

    for _ in range(4):
        _sign_in(client, password="wrong")

    assert _sign_in(client).status_code == 302
    assert _signed_in_as(client, user)


def test_sign_out_is_post_only(client, user):
    client.force_login(user)

    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_anonymous_visitor_to_home_sees_the_landing_page_and_a_user_is_redirected(client, user):
    assert client.get("/").status_code == 200
    client.force_login(user)
    assert client.get("/").url == reverse("tasks:list")


def test_the_session_cookie_is_httponly_lax_and_secure_without_debug(client, user):
    response = _sign_in(client)

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
