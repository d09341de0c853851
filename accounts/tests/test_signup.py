import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory, stored_by_email

pytestmark = pytest.mark.django_db

URL = reverse("accounts:signup")
GOOD = {
    "email": "  New.Person@Example.COM ",
    "name": "New Person",
    "password1": "a sturdy passphrase 42",
    "password2": "a sturdy passphrase 42",
}


def test_it_creates_an_unverified_user_signs_them_in_and_sends_a_link(client):
    response = client.post(URL, GOOD)

    assert response.status_code == 302
    assert response.url == reverse("tasks:list")
    user = stored_by_email(GOOD["email"])
    assert user.email == "new.person@example.com"  # trimmed, one case
    assert user.name == "New Person"
    assert user.email_verified is False
    assert user.password.startswith("md5$")  # hashed (MD5 only in tests)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.last_login is not None  # written under the new user's own RLS context
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert "/accounts/verify/" in mail.outbox[0].body


def test_it_says_it_once_after_sign_up(client):
    # Before: a banner and two flash messages said the same thing.
    response = client.post(URL, GOOD, follow=True)
    html = response.content.decode()

    assert list(response.context["messages"]) == []
    assert html.count("new.person@example.com</strong>") == 1
    assert "Please verify your e-mail address: we sent a link to" in html


def test_it_refuses_an_email_taken_in_another_case(client):
    UserFactory(email="taken@example.com")

    response = client.post(URL, {**GOOD, "email": "TAKEN@example.com"})

    assert response.status_code == 200
    assert response.context["form"].has_error("email", code="email_taken")
    assert stored_by_email("taken@example.com") is not None  # the one account, untouched
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("field", "overrides", "code"),
    [
        ("email", {"email": "not-an-address"}, "invalid"),
        ("email", {"email": ""}, "required"),
        ("password2", {"password2": "something else entirely"}, "password_mismatch"),
        # The rules concern the password itself: their messages sit under it (was password2).
        ("password1", {"password1": "short", "password2": "short"}, "password_too_short"),
        (
            "password1",
            {"password1": "password123", "password2": "password123"},
            "password_too_common",
        ),
        ("email", {"email": "a" * 250 + "@example.com"}, "max_length"),
    ],
)
def test_it_shows_the_form_again_with_a_message_and_saves_nothing(client, field, overrides, code):
    response = client.post(URL, {**GOOD, **overrides})

    assert response.status_code == 200
    assert response.context["form"].has_error(field, code=code)
    assert stored_by_email(overrides.get("email", GOOD["email"])) is None
    assert b'aria-invalid="true"' in response.content


def test_it_keeps_what_was_typed_except_passwords(client):
    response = client.post(URL, {**GOOD, "password2": "different"})

    assert b'value="New Person"' in response.content
    assert b"a sturdy passphrase 42" not in response.content


def test_the_name_is_optional(client):
    client.post(URL, {**GOOD, "name": "   "})

    assert stored_by_email(GOOD["email"]).name is None


def test_production_hashes_new_passwords_with_argon2_and_still_accepts_pbkdf2(settings):
    from django.contrib.auth.hashers import check_password, make_password

    from todo_site import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the tests use MD5 for speed

    assert make_password("a quiet evening of tidy lists").startswith("argon2$")
    older = make_password("a quiet evening of tidy lists", hasher="pbkdf2_sha256")
    assert check_password("a quiet evening of tidy lists", older)


def test_focus_moves_to_the_first_field_with_an_error(client):
    response = client.post(URL, {**GOOD, "password2": "different"})

    form = response.context["form"]
    assert form.fields["password2"].widget.attrs["autofocus"] is True
    assert "autofocus" not in form.fields["email"].widget.attrs
    assert response.content.count(b"autofocus") == 1
