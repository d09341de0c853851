from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory, stored

pytestmark = pytest.mark.django_db

URL = reverse("login")


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com")


def _sixteen_minutes_later(monkeypatch):
    later = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)


def _sign_in(client, email="alice@example.com", password=PASSWORD, **data):
    return client.post(URL, {"username": email, "password": password, **data})


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


def test_five_failures_for_one_email_lock_it_with_429_until_the_window_passes(
    client, user, monkeypatch
):
    for _ in range(5):
        assert _sign_in(client, password="wrong").status_code == 200

    locked = _sign_in(client)  # even the right password is refused now

    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert "_auth_user_id" not in client.session
    # Another address from the same IP is not locked by this e-mail's failures.
    UserFactory(email="carol@example.com")
    assert _sign_in(client, email="carol@example.com").status_code == 302
    client.logout()

    _sixteen_minutes_later(monkeypatch)

    assert _sign_in(client).status_code == 302


def test_twenty_failures_from_one_ip_lock_that_ip(client, user):
    for n in range(20):
        _sign_in(client, email=f"nobody{n}@example.com", password="wrong")

    assert _sign_in(client).status_code == 429
    other_ip = client.post(
        URL, {"username": "alice@example.com", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert other_ip.status_code == 302


def test_a_successful_sign_in_clears_that_emails_failures(client, user):
    for _ in range(4):
        _sign_in(client, password="wrong")
    assert _sign_in(client).status_code == 302
    client.logout()

    for _ in range(4):
        _sign_in(client, password="wrong")

    assert _sign_in(client).status_code == 302


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
