"""E-mail verification: a signed, expiring token in a link sent to the address."""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from accounts import mail, throttle
from accounts.mail import mail_name
from core.client import client_ip

SALT = "accounts.verify-email"
MAX_AGE = timedelta(hours=24)


class InvalidToken(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def make_token(user) -> str:
    # The address is signed too: a link keeps working only for the address it was sent to.
    return signing.dumps({"uid": str(user.pk), "email": user.email}, salt=SALT, compress=True)


def read_token(token: str) -> dict:
    """The token's {"uid", "email"}; InvalidToken("expired" or "invalid") otherwise."""
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidToken("expired") from exc
    except signing.BadSignature as exc:
        raise InvalidToken("invalid") from exc


def send_verification_email(request, user) -> str:
    """Send a fresh link, within the e-mail limits: "sent", "too_many" or "failed"."""
    if not throttle.mail_allowed(user.email, client_ip(request)):
        return "too_many"
    link = request.build_absolute_uri(reverse("accounts:verify", args=[make_token(user)]))
    context = {
        "name": mail_name(user),
        "email": user.email,
        "link": link,
        "hours": int(MAX_AGE.total_seconds() // 3600),
    }
    sent = mail.send(
        to=user.email,
        subject="Confirm your e-mail address for todo",
        template="accounts/verification_email.txt",
        context=context,
    )
    return "sent" if sent else "failed"
