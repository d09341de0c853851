import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, stored_by_email
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:delete")


def test_it_asks_for_confirmation_first(client, alice):
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert b"all of your tasks" in response.content
    assert stored_by_email(alice.email) is not None


def test_the_right_password_deletes_the_user_and_every_task_and_signs_out(
    client, alice, bob, as_user
):
    TaskFactory.create_batch(3, user=alice)
    TaskFactory(user=bob)
    client.force_login(alice)

    response = client.post(URL, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert b"have been deleted" in response.content
    assert stored_by_email(alice.email) is None
    assert "_auth_user_id" not in client.session
    with as_user(alice):
        assert Task.objects.filter(user_id=alice.pk).count() == 0
    with as_user(bob):
        assert Task.objects.filter(user=bob).count() == 1


def test_a_wrong_password_deletes_nothing(client, alice):
    TaskFactory(user=alice)
    client.force_login(alice)

    response = client.post(URL, {"password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].has_error("password", code="password_incorrect")
    assert stored_by_email(alice.email) is not None


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_deleted(client, alice):
    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"
    assert stored_by_email(alice.email) is not None


def test_it_links_both_exports(client, alice):
    client.force_login(alice)

    html = client.get(URL).content.decode()

    assert f'<a href="{reverse("task_export")}?format=json">JSON</a>' in html
    assert f'<a href="{reverse("task_export")}?format=csv">CSV</a>' in html
    assert "archived and recently deleted ones included" in html
