import html

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, stored

pytestmark = pytest.mark.django_db

URL = reverse("accounts:profile")


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com", name="Alice")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_it_saves_the_name_and_an_https_picture(client, user):
    client.force_login(user)

    response = client.post(URL, {"name": " Alice A. ", "image": "https://example.com/a.png"})

    assert response.status_code == 302
    saved = stored(user)
    assert (saved.name, saved.image) == ("Alice A.", "https://example.com/a.png")


def test_the_header_shows_the_name_and_picture_with_a_fallback_initial(client, user):
    client.force_login(user)
    client.post(URL, {"name": "Alice", "image": "https://example.com/a.png"})

    page = client.get(URL).content.decode()

    assert 'class="user-name">Alice<' in page
    assert 'class="avatar-initial">A<' in page
    assert '<img class="avatar-img" src="https://example.com/a.png" alt=""' in page


@pytest.mark.parametrize(
    "image",
    ["javascript:alert(1)", "ftp://example.com/a.png", "data:image/png;base64,AAAA", "http://"],
)
def test_it_refuses_a_picture_url_that_is_not_http_or_https(client, user, image):
    client.force_login(user)

    response = client.post(URL, {"name": "Alice", "image": image})

    assert response.status_code == 200
    assert response.context["form"].has_error("image")
    assert stored(user).image is None


def test_an_empty_picture_is_stored_as_none_and_no_img_is_rendered(client, user):
    client.force_login(user)

    client.post(URL, {"name": "", "image": ""})

    saved = stored(user)
    assert (saved.name, saved.image) == (None, None)
    assert b"avatar-img" not in client.get(URL).content


def test_a_name_is_rendered_escaped(client, user):
    client.force_login(user)

    client.post(URL, {"name": "<script>x</script>", "image": ""})

    page = client.get(URL).content
    assert b"<script>x</script>" not in page
    assert b"&lt;script&gt;x&lt;/script&gt;" in page


def test_another_users_profile_is_never_touched(client, user):
    bob = UserFactory(email="bob@example.com", name="Bob")
    client.force_login(user)

    client.post(URL, {"name": "Changed", "image": "", "id": str(bob.pk)})

    assert stored(bob).name == "Bob"


def test_a_picture_url_cannot_break_out_of_its_attribute(client, user):
    client.force_login(user)
    hostile = 'https://example.com/a.png?x="><script>alert(1)</script>'

    client.post(URL, {"name": "A", "image": hostile})

    page = client.get(URL).content.decode()
    assert "<script>alert(1)" not in page
    src = page.split('class="avatar-img" src="', 1)[1].split('"', 1)[0]
    assert html.unescape(src) == hostile
