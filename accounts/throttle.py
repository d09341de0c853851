"""Counting failed sign-ins and sent e-mails in the database, per address and client.

Counts live in PostgreSQL (table `throttle_events`), so every gunicorn worker
sees the same numbers; an event counts until it is older than its window.

Sign-in (password and second factor share these counters):
- 5 failures for one (e-mail, client address) pair lock that pair for 15 minutes:
  the short lock that stops guessing, and only the guesser's own address is locked;
- 50 failures for one e-mail from any addresses lock that e-mail: a stranger
  cannot lock the owner out without making that many attempts;
- 20 failures from one client address, whatever e-mails, lock that address.
A completed password reset forgets every failure for its e-mail.

The check and the count cannot race: `login_lock()` takes a transaction-level
advisory lock per key before counting, held until the request's transaction
commits (with the failure it recorded), so concurrent attempts on one key queue
and each sees the failures before it. The lock is checked before any password
hashing. Inputs are validated before they get here (an e-mail of at most 254
characters without control characters, a valid IP address).

E-mails (password reset, verification, sign-up notices): at most 3 per address
and 20 per client address an hour.
"""

from datetime import timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import ThrottleEvent, normalize_email

LOGIN = "login"
MAIL = "mail"

LOGIN_WINDOW_MINUTES = 15
LOGIN_WINDOW = timedelta(minutes=LOGIN_WINDOW_MINUTES)
LOGIN_FAILURES_PER_PAIR = 5
LOGIN_FAILURES_PER_EMAIL = 50
LOGIN_FAILURES_PER_IP = 20

MAIL_WINDOW = timedelta(hours=1)
MAILS_PER_EMAIL = 3
MAILS_PER_IP = 20

# Nothing is kept longer than the longest window.
RETENTION = timedelta(days=1)

# Which lock refused a sign-in: the lockout message says what will help.
LOCKED_ADDRESS = "address"  # the pair or the e-mail: a password reset lifts it
LOCKED_NETWORK = "network"  # the client address: only waiting helps


def _serialize(kind: str, email: str, ip: str) -> None:
    """Queue behind other requests counting the same keys, until this transaction ends.

    Locks are taken in a fixed order (by their number), so two requests never
    wait for each other. One query.
    """
    keys = [f"{kind}|{email}|{ip}", f"{kind}|{email}|", f"{kind}||{ip}"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM ("
            " SELECT DISTINCT hashtextextended(key, 0) AS k FROM unnest(%s::text[]) AS key"
            " ORDER BY 1) AS ordered",
            [keys],
        )


def _counts(kind: str, email: str, ip: str, window: timedelta) -> dict[str, int]:
    """Recent events for the pair, the e-mail and the client address. One query."""
    return ThrottleEvent.objects.filter(
        Q(email=email) | Q(ip=ip), kind=kind, created_at__gte=timezone.now() - window
    ).aggregate(
        pair=Count("pk", filter=Q(email=email, ip=ip)),
        email=Count("pk", filter=Q(email=email)),
        ip=Count("pk", filter=Q(ip=ip)),
    )


def _record(kind: str, email: str, ip: str) -> None:
    """Count one event, and forget events past retention. Two queries."""
    ThrottleEvent.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    ThrottleEvent.objects.create(kind=kind, email=email, ip=ip)


def login_lock(email: str, ip: str) -> str | None:
    """None when this sign-in attempt may check a password, else which lock refuses it.

    Must run inside the request's transaction, before any hashing; the caller
    then records the outcome with `login_failed()` or `login_succeeded()`. Two queries.
    """
    email = normalize_email(email)
    _serialize(LOGIN, email, ip)
    counts = _counts(LOGIN, email, ip, LOGIN_WINDOW)
    if counts["pair"] >= LOGIN_FAILURES_PER_PAIR or counts["email"] >= LOGIN_FAILURES_PER_EMAIL:
        return LOCKED_ADDRESS
    if counts["ip"] >= LOGIN_FAILURES_PER_IP:
        return LOCKED_NETWORK
    return None


def login_failed(email: str, ip: str) -> None:
    _record(LOGIN, normalize_email(email), ip)


def login_succeeded(email: str, ip: str) -> None:
    """Forget this pair's failures (not the e-mail's from elsewhere). One query."""
    ThrottleEvent.objects.filter(kind=LOGIN, email=normalize_email(email), ip=ip).delete()


def lift_login_locks(email: str) -> int:
    """Forget every sign-in failure for this e-mail, from any address. One query."""
    deleted, _ = ThrottleEvent.objects.filter(kind=LOGIN, email=normalize_email(email)).delete()
    return deleted


def mail_allowed(email: str, ip: str) -> bool:
    """True (and counted) while this address and this client may be sent another e-mail.

    Callers answer the same whether or not it was sent, and whether or not the
    address has an account. Three to four queries.
    """
    email = normalize_email(email)
    _serialize(MAIL, email, ip)
    counts = _counts(MAIL, email, ip, MAIL_WINDOW)
    if counts["email"] >= MAILS_PER_EMAIL or counts["ip"] >= MAILS_PER_IP:
        return False
    _record(MAIL, email, ip)
    return True


def window_start():
    """Sign-in failures since then count toward a lock."""
    return timezone.now() - LOGIN_WINDOW
