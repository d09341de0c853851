"""Which address the throttle and the log see: TRUSTED_PROXY_COUNT decides."""

import pytest
from django.test import RequestFactory

from core.client import client_ip

FORWARDED = "198.51.100.66, 203.0.113.7"  # written by the client, then appended by our proxy


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_by_default_only_the_socket_peer_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request(forwarded=FORWARDED)) == "10.0.0.1"


def test_behind_one_proxy_the_address_it_appended_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded=FORWARDED)) == "203.0.113.7"


def test_behind_two_proxies_the_outer_ones_entry_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(forwarded=FORWARDED)) == "198.51.100.66"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-ip", "999.1.1.1", "\x00"])
def test_a_missing_or_invalid_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded=forwarded)) == "10.0.0.1"


def test_a_request_that_skipped_a_proxy_keeps_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(forwarded="203.0.113.7")) == "10.0.0.1"


def test_ipv6_is_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded="2001:DB8:0:0::1")) == "2001:db8::1"


@pytest.mark.django_db
def test_the_sign_in_throttle_counts_the_forwarded_address(client, settings):
    # Behind a proxy, every client shares the proxy's socket address: one
    # client's failures must not lock the others out.
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(20):
        client.post(
            "/accounts/login/",
            {"username": f"x{n}@example.com", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    other = client.post(
        "/accounts/login/",
        {"username": "y@example.com", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    same = client.post(
        "/accounts/login/",
        {"username": "y@example.com", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert (other.status_code, same.status_code) == (200, 429)


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_header_escapes_no_counter(client, settings):
    # TRUSTED_PROXY_COUNT = 0: a client that writes a new X-Forwarded-For on every
    # attempt still lands in its own (socket) address's counter.
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(20):
        client.post(
            "/accounts/login/",
            {"username": f"x{n}@example.com", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    forged = client.post(
        "/accounts/login/",
        {"username": "y@example.com", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    elsewhere = client.post(
        "/accounts/login/",
        {"username": "y@example.com", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.0",
    )
    assert (forged.status_code, elsewhere.status_code) == (429, 200)
