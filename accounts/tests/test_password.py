import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory, stored

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase 7"
RESET = reverse("password_reset")


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com")


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, user):
    other_browser = Client()
    other_browser.force_login(user)
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert stored(user).check_password(NEW)
    assert client.get(reverse("accounts:profile")).status_code == 200
    signed_out = other_browser.get(reverse("accounts:profile"))
    assert signed_out.status_code == 302
    assert signed_out.url.startswith(reverse("login"))


def test_a_wrong_old_password_changes_nothing(client, user):
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("old_password", code="password_incorrect")
    assert stored(user).check_password(PASSWORD)


def test_reset_answers_known_and_unknown_addresses_identically(client, user):
    known = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert known.url == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert client.get(known.url).content == client.get(unknown.url).content


def test_reset_mails_stop_after_three_an_hour_per_address_with_the_same_answer(
    client, user, monkeypatch
):
    responses = [client.post(RESET, {"email": "alice@example.com"}) for _ in range(5)]

    assert [r.url for r in responses] == [reverse("password_reset_done")] * 5
    assert len(mail.outbox) == 3
    # An hour later, the owner can ask again.
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.post(RESET, {"email": "alice@example.com"})
    assert len(mail.outbox) == 4


def test_reset_mails_stop_after_twenty_an_hour_from_one_client_with_the_same_answer(client):
    # A mail bomber spreading over many addresses: one client gets 20 mails an hour.
    users = UserFactory.create_batch(21)
    responses = [client.post(RESET, {"email": u.email}, REMOTE_ADDR="198.51.100.9") for u in users]

    assert [r.url for r in responses] == [reverse("password_reset_done")] * 21
    assert len(mail.outbox) == 20
    # Another client is not held back by that one.
    client.post(RESET, {"email": users[-1].email}, REMOTE_ADDR="198.51.100.10")
    assert [m.to for m in mail.outbox[20:]] == [[users[-1].email]]


def test_the_reset_link_sets_a_new_password_once(client, user):
    client.post(reverse("password_reset"), {"email": "ALICE@example.com"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert stored(user).check_password(NEW)
    # The token was for the old password: it does not work twice.
    again = client.get(link, follow=True)
    assert b"This link is not valid" in again.content


def test_an_old_short_password_must_become_at_least_12_characters_at_the_next_change(client):
    old = UserFactory(email="old@example.com", password="eightch1")
    client.force_login(old)

    page = client.get(reverse("password_change"))
    short = client.post(
        reverse("password_change"),
        {
            "old_password": "eightch1",
            "new_password1": "elevenchars",
            "new_password2": "elevenchars",
        },
    )

    assert b"At least 12 characters. Length beats symbols" in page.content
    assert short.context["form"].has_error("new_password1", code="password_too_short")
    assert stored(old).check_password("eightch1")


def test_a_128_character_password_is_accepted_and_129_refused(client, user):
    client.force_login(user)
    url = reverse("password_change")

    too_long = client.post(
        url, {"old_password": PASSWORD, "new_password1": "w" * 129, "new_password2": "w" * 129}
    )
    longest = "correct horse " * 9 + "xx"  # 128 characters
    accepted = client.post(
        url, {"old_password": PASSWORD, "new_password1": longest, "new_password2": longest}
    )

    assert too_long.context["form"].has_error("new_password1", code="password_too_long")
    assert accepted.status_code == 302
    assert stored(user).check_password(longest)
