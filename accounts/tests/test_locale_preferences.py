"""A user's time zone and language: chosen at sign-up and on the profile, applied
to every page (core/user_locale.py)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import stored_by_email
from core.tests.helpers import messages_of

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
SIGNUP = reverse("accounts:signup")


def _signup(client, **extra):
    return client.post(
        SIGNUP,
        {
            "email": "new@example.com",
            "name": "New",
            "password1": "a long and quiet password",
            "password2": "a long and quiet password",
            **extra,
        },
    )


def test_sign_up_keeps_the_time_zone_the_browser_selected(client):
    response = _signup(client, time_zone="America/Los_Angeles")

    assert response.status_code == 302
    assert stored_by_email("new@example.com").time_zone == "America/Los_Angeles"


def test_sign_up_without_javascript_or_a_choice_is_utc(client):
    _signup(client)

    assert stored_by_email("new@example.com").time_zone == "UTC"


def test_sign_up_refuses_an_unknown_time_zone(client):
    response = _signup(client, time_zone="Mars/Olympus_Mons")

    assert response.status_code == 200
    assert response.context["form"].has_error("time_zone", code="invalid_choice")
    assert stored_by_email("new@example.com") is None


def test_the_sign_up_page_offers_the_list_with_the_detection_script(client):
    html = client.get(SIGNUP).content.decode()

    assert '<option value="Europe/Paris">Europe/Paris</option>' in html
    assert '<option value="UTC" selected>UTC</option>' in html
    assert "data-detect-time-zone" in html
    assert "js/timezone.js" in html


def test_the_profile_changes_time_zone_and_language(client, alice, as_user):
    client.force_login(alice)

    response = client.post(
        PROFILE, {"name": "Alice", "image": "", "time_zone": "Asia/Tokyo", "language": "fr"}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Profil enregistré."]
    with as_user(alice):
        alice.refresh_from_db()
    assert (alice.time_zone, alice.language) == ("Asia/Tokyo", "fr")
    page = client.get(PROFILE)
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"time_zone": "Nowhere"}, "time_zone"), ({"language": "de"}, "language")],
)
def test_the_profile_refuses_unknown_values(client, alice, as_user, data, field):
    client.force_login(alice)

    response = client.post(
        PROFILE, {"name": "Alice", "image": "", "time_zone": "UTC", "language": "", **data}
    )

    assert response.status_code == 200
    assert response.context["form"].has_error(field, code="invalid_choice")
    with as_user(alice):
        alice.refresh_from_db()
    assert (alice.time_zone, alice.language) == ("UTC", "")


def test_the_browsers_language_applies_until_one_is_chosen(client, alice, as_user):
    client.force_login(alice)

    assert (
        "Vos tâches"
        in client.get("/tasks/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    )
    assert "Your tasks" in client.get("/tasks/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()

    alice.language = "en"
    with as_user(alice):
        alice.save(update_fields=["language"])
    assert "Your tasks" in client.get("/tasks/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_anonymous_pages_follow_accept_language(client):
    assert 'lang="fr"' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
