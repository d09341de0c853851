"""E-mail verification: a signed, expiring token in a link sent to the address."""

import logging
import smtplib
from datetime import timedelta

from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from accounts import throttle

logger = logging.getLogger(__name__)

SALT = "accounts.verify-email"
MAX_AGE = timedelta(hours=24)
RESEND_INTERVAL = timedelta(minutes=1)


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


def _resend_key(user) -> str:
    return f"verify-email:{user.pk}"


def send_verification_email(request, user) -> str:
    """Send a fresh link, at most once a minute per user: "sent", "too_soon" or "failed"."""
    if not throttle.allow_once_per(_resend_key(user), RESEND_INTERVAL):
        return "too_soon"
    link = request.build_absolute_uri(reverse("accounts:verify", args=[make_token(user)]))
    context = {"user": user, "link": link, "hours": int(MAX_AGE.total_seconds() // 3600)}
    try:
        send_mail(
            subject=gettext("Confirm your e-mail address for todo"),
            message=render_to_string("accounts/verification_email.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except (OSError, smtplib.SMTPException):
        # The account is fine without it; the banner offers to send it again.
        logger.exception("could not send the verification e-mail to user %s", user.pk)
        return "failed"
    return "sent"
