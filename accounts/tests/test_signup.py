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


def test_it_creates_an_unverified_user_and_sends_a_link_without_signing_in(client):
    response = client.post(URL, GOOD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_done")
    user = stored_by_email(GOOD["email"])
    assert user.email == "new.person@example.com"  # trimmed, one case
    assert user.name == "New Person"
    assert user.email_verified is False
    assert user.password.startswith("md5$")  # hashed (MD5 only in tests)
    # Signing in now would tell a new address from a taken one.
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert "/accounts/verify/" in mail.outbox[0].body
    done = client.get(response.url)
    assert b"Check your e-mail" in done.content
    assert b"new.person@example.com" in done.content


def test_it_says_it_once_after_sign_up(client):
    response = client.post(URL, GOOD, follow=True)
    html = response.content.decode()

    assert list(response.context["messages"]) == []
    assert html.count("new.person@example.com</strong>") == 1
    assert "Check your e-mail" in html


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_notice(client):
    owner = UserFactory(email="taken@example.com")

    response = client.post(URL, {**GOOD, "email": "TAKEN@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_done")
    assert stored_by_email("taken@example.com").password == owner.password  # untouched
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["taken@example.com"]
    assert "Someone tried to create a todo account" in notice.body
    assert "http://testserver/accounts/password_reset/" in notice.body
    assert "/accounts/verify/" not in notice.body


def test_new_and_taken_addresses_answer_identically(client):
    UserFactory(email="taken@example.com")

    new = client.post(URL, {**GOOD, "email": "fresh@example.com"}, follow=True)
    client.cookies.clear()
    taken = client.post(URL, {**GOOD, "email": "taken@example.com"}, follow=True)

    def page(response, email):
        return response.content.decode().replace(email, "EMAIL")

    assert new.redirect_chain == taken.redirect_chain
    assert page(new, "fresh@example.com") == page(taken, "taken@example.com")


def test_sign_up_mails_stop_after_three_an_hour_per_address_with_the_same_answer(client):
    UserFactory(email="taken@example.com")

    responses = [client.post(URL, {**GOOD, "email": "taken@example.com"}) for _ in range(5)]

    assert [r.url for r in responses] == [reverse("accounts:signup_done")] * 5
    assert len(mail.outbox) == 3


def test_the_name_in_the_mail_is_plain_short_text_and_never_a_link(client):
    hostile = "Win a prize at https://evil.example/claim <b>now</b> " + "x" * 300

    client.post(URL, {**GOOD, "name": hostile[:100]})

    body = mail.outbox[0].body
    greeting = body.splitlines()[0]
    # Cut to 40 characters, without what a mail program would turn into a link.
    assert greeting == "Hello Win a prize at https evil example claim,"
    assert mail.outbox[0].alternatives == []  # plain text only


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
        ("email", {"email": "a" * 5000 + "@example.com"}, "max_length"),
        ("email", {"email": "new\x00@example.com"}, "null_characters_not_allowed"),
        ("name", {"name": "Eve\nBcc: victim@example.com"}, "control_characters"),
        ("name", {"name": "x" * 101}, "max_length"),
        (
            "password1",
            {"password1": "eleven char", "password2": "eleven char"},
            "password_too_short",
        ),
        ("password1", {"password1": "y" * 129, "password2": "y" * 129}, "password_too_long"),
    ],
)
def test_it_shows_the_form_again_with_a_message_and_saves_nothing(client, field, overrides, code):
    response = client.post(URL, {**GOOD, **overrides})

    assert response.status_code == 200
    assert response.context["form"].has_error(field, code=code)
    # (PostgreSQL refuses a NUL even in a query: the form stopped it before any.)
    assert stored_by_email(overrides.get("email", GOOD["email"]).replace("\x00", "")) is None
    assert b'aria-invalid="true"' in response.content


def test_it_keeps_what_was_typed_except_passwords(client):
    response = client.post(URL, {**GOOD, "password2": "different"})

    assert b'value="New Person"' in response.content
    assert b"a sturdy passphrase 42" not in response.content


def test_the_name_is_optional(client):
    client.post(URL, {**GOOD, "name": "   "})

    assert stored_by_email(GOOD["email"]).name is None


@pytest.mark.slow  # the production hashers, at their real cost
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
