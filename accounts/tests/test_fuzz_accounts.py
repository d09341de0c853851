"""Property-based input tests for the account forms and the account URLs that take a token
or a query parameter: never a 5xx; stored as typed (trimmed where the form says so) or
refused with a message, with nothing saved. Bounded by the "todo" profile (conftest.py)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from core.rls import user_context
from core.tests.strategies import (
    INVALID_UTF8_BODIES,
    path_segments,
    rolled_back,
    texts,
    url_segment,
    with_edge_examples,
)

# Ten generated examples per property, each a few requests: `slow`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


emails = st.one_of(texts, st.emails().map(str))


def _refused_with_a_message(response) -> bool:
    html = response.content.decode()
    return response.status_code == 200 and (
        'class="errorlist' in html or 'class="form-errors"' in html
    )


@with_edge_examples("email", "name", "password")
@given(email=emails, name=texts, password=texts)
def test_signup_creates_the_typed_account_or_refuses(client, email, name, password):
    with rolled_back():
        response = client.post(
            reverse("accounts:signup"),
            {"email": email, "name": name, "password1": password, "password2": password},
        )
        assert response.status_code < 500
        if response.status_code == 302:
            user_id = client.session["_auth_user_id"]  # signed in as the new account
            with user_context(user_id):
                user = User.objects.get(pk=user_id)
            assert user.email == email.strip().lower()
            assert user.name == (name.strip() or None)
        else:
            assert _refused_with_a_message(response)
            assert "_auth_user_id" not in client.session  # no account was made
        client.logout()


@with_edge_examples("name", "image")
@given(name=texts, image=st.one_of(texts, st.just("https://example.com/a.png")))
def test_profile_stores_the_typed_name_or_refuses(alice_client, alice, name, image):
    with rolled_back():
        response = alice_client.post(reverse("accounts:profile"), {"name": name, "image": image})
        assert response.status_code < 500
        with user_context(alice.pk):
            stored = User.objects.get(pk=alice.pk)
        if response.status_code == 302:
            assert stored.name == (name.strip() or None)
            page = alice_client.get(reverse("accounts:profile")).content.decode()
            assert escape(stored.name or "") in page
        else:
            assert _refused_with_a_message(response)
            assert (stored.name, stored.image) == ("Alice", None)


@given(username=texts, password=texts, next_url=texts)
def test_sign_in_with_anything_is_refused_without_a_server_error(
    client, alice, username, password, next_url
):
    with rolled_back():
        response = client.post(
            f"{reverse('login')}?next={url_segment(next_url)}",
            {"username": username, "password": password},
        )
        assert response.status_code in (200, 429)
        assert "_auth_user_id" not in client.session


@given(next_url=texts)
def test_sign_in_never_redirects_off_the_site(client, alice, next_url):
    from accounts.tests.factories import PASSWORD

    with rolled_back():
        response = client.post(
            f"{reverse('login')}?next={url_segment(next_url)}",
            {"username": alice.email, "password": PASSWORD},
        )
        assert response.status_code == 302
        target = urlsplit(response["Location"])
        assert target.netloc in ("", "testserver") and target.scheme in ("", "http", "https")
        client.logout()


@with_edge_examples("password")
@given(password=texts)
def test_account_deletion_refuses_a_wrong_password_and_keeps_everything(
    alice_client, alice, password
):
    with rolled_back():
        response = alice_client.post(reverse("accounts:delete"), {"password": password})
        assert _refused_with_a_message(response)
        with user_context(alice.pk):
            assert User.objects.filter(pk=alice.pk).exists()


@given(old=texts, new=texts)
def test_password_change_with_anything_keeps_the_password_or_refuses(alice_client, alice, old, new):
    with rolled_back():
        response = alice_client.post(
            reverse("password_change"),
            {"old_password": old, "new_password1": new, "new_password2": new},
        )
        assert _refused_with_a_message(response)  # `old` is never the real password


@given(fmt=st.one_of(st.sampled_from(["json", "csv", "JSON", "xml", ""]), texts))
def test_export_answers_any_format_parameter(alice_client, fmt):
    response = alice_client.get(reverse("task_export"), {"format": fmt})
    assert response.status_code == (200 if fmt in ("json", "csv") else 400)


@given(token=path_segments)
def test_any_verification_token_gets_a_page_not_an_error(client, token):
    response = client.get(f"/accounts/verify/{url_segment(token)}/")
    assert response.status_code in (400, 404)


@given(uid=path_segments, token=path_segments)
def test_any_password_reset_link_gets_a_page_not_an_error(client, uid, token):
    response = client.get(f"/accounts/reset/{url_segment(uid)}/{url_segment(token)}/")
    assert response.status_code in (200, 302, 404)


@pytest.mark.parametrize("body", INVALID_UTF8_BODIES)
@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/login/", "/accounts/profile/"])
def test_invalid_utf8_in_an_account_form_is_never_a_server_error(alice_client, body, url):
    response = alice_client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 302)
