"""The Django admin's door: staff sign in through the site's sign-in with two factors.

Non-staff never reach it; its pages send the site's security headers; staff see
and lift sign-in locks. `committed` (in `admin_people`): the admin alias cannot
be used inside Django's wrapping test transaction.
"""

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import ThrottleEvent, User
from accounts.tests.factories import PASSWORD, enable_two_factor, totp_code, two_factor_client
from core.tests.helpers import signed_in_client
from core.tests.site_urls import INLINE_SCRIPT, INLINE_STYLE

TASKS = "/admin/tasks/task/"


def test_staff_sign_in_through_the_sites_sign_in_with_two_factors(admin_people, caplog):
    # Sign-in writes last_login on the user's own row, which RLS allows only
    # under that user's context.
    _, _, staff, _ = admin_people
    device = enable_two_factor(staff)
    client = Client()
    caplog.set_level(logging.INFO, logger="security")

    to_login = client.get("/admin/login/?next=/admin/tasks/task/")
    assert to_login.url == "/accounts/login/?next=%2Fadmin%2Ftasks%2Ftask%2F"
    password = client.post(to_login.url, {"username": staff.email, "password": PASSWORD})
    assert password.url == "/accounts/login/two-factor/"
    assert client.get(TASKS).status_code == 302  # the password alone opens nothing
    code = client.post(password.url, {"code": totp_code(device)})

    assert code.status_code == 302 and code.url == TASKS
    assert client.get(TASKS).status_code == 200
    assert User.objects.using("admin").get(pk=staff.pk).last_login is not None
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "security"]
    assert [(e["event"], e["user_id"]) for e in events] == [
        ("login.success", str(staff.pk)),
        ("admin.login", str(staff.pk)),
    ]
    assert events[0]["staff"] is True and events[0]["two_factor"] == "totp"


def test_the_admin_login_form_itself_signs_nobody_in(admin_people):
    _, _, staff, _ = admin_people
    client = Client()

    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_without_a_second_factor_are_sent_to_set_one_up(admin_people):
    _, _, staff, _ = admin_people
    client = Client()
    client.force_login(staff)

    response = client.get(TASKS, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/two-factor/setup/"
    assert b"Staff must turn on two-factor sign-in" in response.content


def test_staff_signed_in_with_the_password_alone_must_sign_in_again(admin_people):
    _, _, staff, _ = admin_people
    enable_two_factor(staff)
    client = Client()
    client.force_login(staff)  # a session that never passed the second factor

    response = client.get(TASKS, follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_removed_second_factor_closes_the_admin_at_once(admin_people):
    _, _, staff, _ = admin_people
    client = two_factor_client(staff)
    assert client.get(TASKS).status_code == 200

    call_command("reset_two_factor", staff.email, stdout=io.StringIO())

    closed = client.get(TASKS)
    assert closed.status_code == 302
    assert closed.url.startswith("/admin/login/")


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_non_staff_are_sent_to_the_admin_login(admin_people, who):
    alice, _, _, tasks = admin_people
    client = Client() if who == "anonymous" else signed_in_client(alice)
    for url in (TASKS, f"{TASKS}{tasks['A1'].pk}/change/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_admin_pages_send_the_security_headers_and_hold_no_inline_code(admin_people):
    _, _, staff, _ = admin_people
    client = two_factor_client(staff)
    for url in ("/admin/", TASKS, "/admin/accounts/user/", "/admin/accounts/throttleevent/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"], url
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page), url
        assert not INLINE_STYLE.search(page), url


def test_staff_see_who_is_locked_and_lift_the_lock(admin_people):
    alice, _, staff, _ = admin_people
    stranger = Client()
    for _ in range(5):
        stranger.post("/accounts/login/", {"username": alice.email, "password": "wrong"})
    assert (
        stranger.post(
            "/accounts/login/", {"username": alice.email, "password": PASSWORD}
        ).status_code
        == 429
    )
    client = two_factor_client(staff)

    listing = client.get("/admin/accounts/throttleevent/?recent=window")
    assert listing.content.count(alice.email.encode()) >= 5
    ids = list(ThrottleEvent.objects.values_list("pk", flat=True)[:1])
    lifted = client.post(
        "/admin/accounts/throttleevent/",
        {"action": "lift_sign_in_locks", "_selected_action": ids},
        follow=True,
    )

    assert b"Lifted the sign-in locks of 1 address" in lifted.content
    assert not ThrottleEvent.objects.filter(email=alice.email).exists()
    assert (
        stranger.post(
            "/accounts/login/", {"username": alice.email, "password": PASSWORD}
        ).status_code
        == 302
    )


def test_staff_lift_a_users_locks_from_the_user_list_and_it_is_logged(admin_people, caplog):
    alice, _, staff, _ = admin_people
    stranger = Client()
    for _ in range(5):
        stranger.post("/accounts/login/", {"username": alice.email, "password": "wrong"})
    right = {"username": alice.email, "password": PASSWORD}
    assert stranger.post("/accounts/login/", right).status_code == 429
    client = two_factor_client(staff)
    caplog.set_level(logging.INFO, logger="security")
    caplog.clear()  # the failures were logged too

    lifted = client.post(
        "/admin/accounts/user/",
        {"action": "lift_sign_in_locks", "_selected_action": [alice.pk]},
        follow=True,
    )

    assert b"Lifted the sign-in locks of 1 address" in lifted.content
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "security"]
    assert [(e["event"], e["user_id"]) for e in events] == [("login.locks_lifted", str(staff.pk))]
    assert alice.email not in json.dumps(events)  # a keyed digest names the address
    assert stranger.post("/accounts/login/", right).status_code == 302
