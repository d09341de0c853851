"""The client's network address, for throttling and the security log.

By default it is the socket peer (REMOTE_ADDR): a header the client writes
itself must never decide which throttle counter it lands in. Behind reverse
proxies, TRUSTED_PROXY_COUNT says how many of them append to X-Forwarded-For;
the address the outermost trusted proxy appended is the client's. Entries
further left were written by the client and are ignored.
"""

import ipaddress

from django.conf import settings

UNKNOWN = "0.0.0.0"  # noqa: S104 (a placeholder address, never bound)


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """A valid IP address as text; never a value that could fail in the database."""
    cached = getattr(request, "_client_ip", None)
    if cached:
        return cached
    address = _valid(request.META.get("REMOTE_ADDR", "")) or UNKNOWN
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        # With fewer entries than proxies the request skipped a proxy: keep the peer.
        if len(hops) >= count:
            address = _valid(hops[-count]) or address
    request._client_ip = address
    return address
