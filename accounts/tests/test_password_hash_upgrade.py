"""Signing in with a password hashed under older settings upgrades the hash (issue 16).

What a Django upgrade that raises PBKDF2's iterations, or a change of Argon2's
parameters, leaves in every row. `authenticate()` re-hashes a correct password
and saves it before anyone is signed in; `users` lets only the user's own
identity update the row, so the save runs as the user signing in
(`User.check_password`). These tests commit for real (no wrapping test
transaction would hide a refused UPDATE) and read the stored hash back as the
administrative role. The production hashers are used, not the tests' MD5.
"""

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    identify_hasher,
)
from django.db import connections
from django.test import Client

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, enable_two_factor, totp_code

# The production hashers at their real cost (a PBKDF2 check is ~1,000,000 rounds): `slow`.
pytestmark = pytest.mark.slow

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


class _WeakArgon2(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8
    parallelism = 1


def _outdated_pbkdf2():
    return PBKDF2PasswordHasher().encode(PASSWORD, "oldsalt0123456789", iterations=1000)


def _outdated_argon2():
    return _WeakArgon2().encode(PASSWORD, "oldsalt0123456789")


def _stored_hash(user) -> str:
    return User.objects.using("admin").get(pk=user.pk).password


def _store_hash(user, encoded: str) -> None:
    with connections["admin"].cursor() as cursor:
        cursor.execute("UPDATE users SET password = %s WHERE id = %s", [encoded, user.pk])


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


@pytest.fixture
def alice(committed, production_hashers):
    return UserFactory(email="alice@example.com")


@pytest.mark.parametrize(
    ("outdated", "algorithm"),
    [(_outdated_pbkdf2, "pbkdf2_sha256$1000$"), (_outdated_argon2, "argon2$argon2id$v=19$m=8,t=1")],
)
def test_an_outdated_hash_signs_in_and_is_upgraded(alice, outdated, algorithm):
    old = outdated()
    assert old.startswith(algorithm)
    _store_hash(alice, old)

    client = Client()
    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})

    assert (response.status_code, response.url) == (302, "/tasks/")
    assert client.get("/tasks/").status_code == 200
    new = _stored_hash(alice)
    assert new != old
    assert identify_hasher(new).algorithm == "argon2"
    assert not identify_hasher(new).must_update(new)  # today's parameters
    assert check_password(PASSWORD, new)


def test_an_outdated_pbkdf2_is_upgraded_when_pbkdf2_is_still_preferred(alice, settings):
    # A raised iteration count alone, the hasher unchanged.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    _store_hash(alice, _outdated_pbkdf2())

    response = Client().post("/accounts/login/", {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 302
    new = _stored_hash(alice)
    assert new.startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")


def test_a_wrong_password_writes_nothing(alice):
    old = _outdated_pbkdf2()
    _store_hash(alice, old)

    response = Client().post("/accounts/login/", {"username": alice.email, "password": "wrong"})

    assert response.status_code == 200
    assert _stored_hash(alice) == old


def test_staff_with_an_outdated_hash_sign_in_to_the_admin_and_are_upgraded(committed, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    staff = User.objects.db_manager("admin").create_superuser("staff@example.com", PASSWORD)
    old = _outdated_pbkdf2()
    _store_hash(staff, old)

    device = enable_two_factor(staff)  # staff need two factors for the admin

    client = Client()
    response = client.post(
        "/accounts/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )
    response = client.post(response.url, {"code": totp_code(device)})

    assert (response.status_code, response.url) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    new = _stored_hash(staff)
    assert identify_hasher(new).algorithm == "argon2" and check_password(PASSWORD, new)
