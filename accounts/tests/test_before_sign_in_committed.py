"""Every write that happens before the request has a signed-in identity, with real commits.

Sign-up's own row, e-mail verification, the password reset, session rotation at
sign-in, last_login and the throttle's bookkeeping all run while the request's
identity is "nobody" (or, for a reset or verification link, a user nobody has
proved to be yet). Each runs here through the site as the application role,
with no wrapping test transaction that could hide a write refused by row-level
security (Django then raises, or silently updates no row). What really happened
is read back as the administrative role.
"""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.models import ThrottleEvent, User
from accounts.tests.factories import PASSWORD, UserFactory
from core.sessions import stored_key
from core.tests.helpers import admin_sql

NEW = "another sturdy passphrase 7"


def _row(email):
    return User.objects.using("admin").filter(email=email).first()


def test_sign_up_inserts_its_own_row(committed):
    client = Client()
    response = client.post(
        reverse("accounts:signup"),
        {"email": "New@Example.com", "name": "", "password1": NEW, "password2": NEW},
    )

    # Issue 10: no sign-in at sign-up (it would tell a new address from a taken one).
    assert (response.status_code, response.url) == (302, reverse("accounts:signup_done"))
    row = _row("new@example.com")
    assert row is not None and row.check_password(NEW)
    # The verification e-mail's throttle row was committed too.
    assert admin_sql("SELECT kind, email FROM throttle_events") == [("mail", "new@example.com")]


def test_sign_up_with_a_taken_address_writes_no_user(committed):
    UserFactory(email="taken@example.com")
    response = Client().post(
        reverse("accounts:signup"),
        {"email": "TAKEN@example.com", "name": "", "password1": NEW, "password2": NEW},
    )

    assert (response.status_code, response.url) == (302, reverse("accounts:signup_done"))
    assert admin_sql("SELECT count(*) FROM users") == [(1,)]
    assert admin_sql("SELECT kind, email FROM throttle_events") == [("mail", "taken@example.com")]


def test_verification_signed_out_marks_the_row(committed):
    user = UserFactory(email="new@example.com", email_verified=False)
    token = services.make_token(user)

    response = Client().get(reverse("accounts:verify", args=[token]))

    assert (response.status_code, response.url) == (302, reverse("login"))
    assert _row("new@example.com").email_verified is True


def test_password_reset_request_and_confirm_write_the_new_password(committed):
    user = UserFactory(email="alice@example.com")
    client = Client()
    client.post(reverse("password_reset"), {"email": "ALICE@example.com"})
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})

    assert (response.status_code, response.url) == (302, reverse("password_reset_complete"))
    assert _row(user.email).check_password(NEW)
    assert Client().login(username=user.email, password=NEW)


def test_a_reset_link_for_someone_else_changes_nothing(committed):
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    client = Client()
    client.post(reverse("password_reset"), {"email": alice.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    # alice's token on bob's id: Django's token check refuses it.
    token = re.search(r"/reset/[^/]+/([^/]+)/", link).group(1)
    forged = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(bob.pk))}/{token}/"

    page = client.get(forged, follow=True)

    assert b"This link is not valid" in page.content
    assert _row(bob.email).check_password(PASSWORD)


def test_sign_in_rotates_the_session_and_records_last_login(committed):
    user = UserFactory(email="alice@example.com")
    client = Client()
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302
    cookie = client.cookies["sessionid"].value
    assert admin_sql("SELECT session_key FROM django_session") == [(stored_key(cookie),)]
    assert _row(user.email).last_login is not None


def test_a_failed_sign_in_records_its_throttle_events(committed):
    UserFactory(email="alice@example.com")
    Client().post(reverse("login"), {"username": "alice@example.com", "password": "wrong"})

    events = admin_sql("SELECT kind, email, host(ip) FROM throttle_events")
    assert events == [("login", "alice@example.com", "127.0.0.1")]
    # ...and a successful sign-in clears the pair's count, as the application role.
    Client().post(reverse("login"), {"username": "alice@example.com", "password": PASSWORD})
    assert not ThrottleEvent.objects.filter(email="alice@example.com").exists()
