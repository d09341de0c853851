"""Counting recent events per key in the database, for sign-in throttling and e-mail limits.

Counts live in PostgreSQL (table `throttle_events`), not in process memory, so
every gunicorn worker sees the same numbers. A sliding window: an event counts
until it is older than the window.
"""

import hashlib
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from accounts.models import ThrottleEvent, normalize_email

LOGIN_WINDOW_MINUTES = 15
LOGIN_WINDOW = timedelta(minutes=LOGIN_WINDOW_MINUTES)
LOGIN_FAILURES_PER_EMAIL = 5
LOGIN_FAILURES_PER_IP = 20
# Nothing is kept longer than the longest window.
RETENTION = timedelta(days=1)


def _email_key(email: str) -> str:
    """The key for whatever was typed as the e-mail: no NUL (PostgreSQL refuses it in
    text), and an address longer than any account's (255) is hashed to fit the column."""
    email = normalize_email(email).replace("\x00", "")
    if len(email) > 255:
        email = "sha256:" + hashlib.sha256(email.encode()).hexdigest()
    return f"login-email:{email}"


def _ip_key(ip: str) -> str:
    return f"login-ip:{ip}"


def recent_counts(keys: list[str], window: timedelta) -> dict[str, int]:
    """Events per key within the window. One query."""
    rows = (
        ThrottleEvent.objects.filter(key__in=keys, created_at__gte=timezone.now() - window)
        .values("key")
        .annotate(n=Count("*"))
    )
    counts = {row["key"]: row["n"] for row in rows}
    return {key: counts.get(key, 0) for key in keys}


def record(*keys: str) -> None:
    """Count one event for each key, and forget events past retention. Two queries."""
    ThrottleEvent.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    ThrottleEvent.objects.bulk_create([ThrottleEvent(key=key) for key in keys])


def clear(key: str) -> None:
    ThrottleEvent.objects.filter(key=key).delete()


def login_locked(email: str, ip: str) -> bool:
    """Whether sign-in is refused for this e-mail or from this address right now."""
    counts = recent_counts([_email_key(email), _ip_key(ip)], LOGIN_WINDOW)
    return (
        counts[_email_key(email)] >= LOGIN_FAILURES_PER_EMAIL
        or counts[_ip_key(ip)] >= LOGIN_FAILURES_PER_IP
    )


def login_failed(email: str, ip: str) -> None:
    record(_email_key(email), _ip_key(ip))


def login_succeeded(email: str) -> None:
    clear(_email_key(email))


def allow_once_per(key: str, window: timedelta) -> bool:
    """True (and counted) when no event for `key` happened within the window."""
    if recent_counts([key], window)[key]:
        return False
    record(key)
    return True
