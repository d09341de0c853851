"""Sessions: sign out everywhere, two weeks idle, and a reset ends every session."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from core.tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

TASKS = reverse("tasks:list")
EVERYWHERE = reverse("accounts:sign_out_everywhere")


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com")


def test_sign_out_everywhere_ends_every_session_this_one_included(user):
    laptop, phone = signed_in_client(user), signed_in_client(user)

    response = laptop.post(EVERYWHERE, {"everywhere-password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("login")
    assert b"You are signed out everywhere" in response.content
    assert laptop.get(TASKS).status_code == 302
    assert phone.get(TASKS).url.startswith(reverse("login"))
    # The password itself still works.
    assert (
        Client().post(reverse("login"), {"username": user.email, "password": PASSWORD}).url == TASKS
    )


def test_sign_out_everywhere_needs_the_password(user):
    laptop, phone = signed_in_client(user), signed_in_client(user)

    response = laptop.post(EVERYWHERE, {"everywhere-password": "wrong"}, follow=True)

    assert b"That is not your password" in response.content
    assert laptop.get(TASKS).status_code == 200
    assert phone.get(TASKS).status_code == 200


def test_sign_out_everywhere_is_post_only(user):
    assert signed_in_client(user).get(EVERYWHERE).status_code == 405


def test_sessions_last_two_weeks_from_the_last_visit(user):
    client = signed_in_client(user)

    # Within a day of the last save, a visit writes nothing.
    assert "sessionid" not in client.get(TASKS).cookies
    # A day later, the visit moves the expiry two weeks ahead.
    session = client.session
    session["_refreshed_at"] = int(time.time()) - 25 * 3600
    session.save()
    response = client.get(TASKS)

    assert response.cookies["sessionid"]["max-age"] == 14 * 24 * 3600
    assert client.session.get_expiry_age() == 14 * 24 * 3600
    assert time.time() - client.session["_refreshed_at"] < 60


def test_a_password_reset_ends_every_other_session(user):
    phone = signed_in_client(user)
    client = Client()
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a different passphrase 7"

    client.post(set_url, {"new_password1": new, "new_password2": new})

    assert phone.get(TASKS).url.startswith(reverse("login"))
