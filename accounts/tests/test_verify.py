import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(db):
    return UserFactory(email="new@example.com", email_verified=False)


def _verified(user):
    return stored(user).email_verified


def test_the_link_verifies_the_address_even_when_signed_out(client, unverified):
    response = client.get(reverse("accounts:verify", args=[services.make_token(unverified)]))

    assert response.status_code == 302
    assert _verified(unverified) is True


def test_using_the_link_twice_is_harmless(client, unverified):
    url = reverse("accounts:verify", args=[services.make_token(unverified)])
    client.get(url)

    response = client.get(url)

    assert response.status_code == 302
    assert _verified(unverified) is True


def test_a_tampered_token_shows_a_clear_page_and_changes_nothing(client, unverified):
    token = services.make_token(unverified)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client.get(reverse("accounts:verify", args=[tampered]))

    assert response.status_code == 400
    assert b"This link is not valid" in response.content
    assert _verified(unverified) is False


def test_an_expired_token_shows_a_clear_page_and_changes_nothing(client, unverified, monkeypatch):
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 24 * 3600 - 60)  # signed 24 h 1 min ago
    token = services.make_token(unverified)
    monkeypatch.undo()

    response = client.get(reverse("accounts:verify", args=[token]))

    assert response.status_code == 400
    assert b"This link has expired" in response.content
    assert _verified(unverified) is False


def test_a_token_for_an_address_that_changed_is_refused(client, unverified, as_user):
    token = services.make_token(unverified)
    with as_user(unverified):
        User.objects.filter(pk=unverified.pk).update(email="other@example.com")

    response = client.get(reverse("accounts:verify", args=[token]))

    assert response.status_code == 400
    assert _verified(unverified) is False


def test_unverified_users_see_a_banner_with_a_resend_button(client, unverified):
    client.force_login(unverified)

    response = client.get(reverse("accounts:profile"))

    assert b"Please verify your e-mail address" in response.content
    assert reverse("accounts:verify_resend").encode() in response.content


def test_resend_sends_at_most_three_emails_an_hour(client, unverified, monkeypatch):
    client.force_login(unverified)
    url = reverse("accounts:verify_resend")

    for _ in range(3):
        client.post(url)
    fourth = client.post(url, follow=True)

    assert len(mail.outbox) == 3
    assert b"already sent several verification e-mails this hour" in fourth.content
    # An hour later, it may be sent again.
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.post(url)
    assert len(mail.outbox) == 4


def test_resend_is_post_only(client, unverified):
    client.force_login(unverified)

    assert client.get(reverse("accounts:verify_resend")).status_code == 405
    assert mail.outbox == []
