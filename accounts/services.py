"""Account writes: sign-up, e-mail verification, deletion (views and commands share them).

Verification is a signed, expiring token in a link sent to the address; the
token itself proves who is verifying, signed in or not. Sign-in throttling is in
accounts/throttle.py; reads of users are the model's manager.
"""

from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext

from accounts import mail, throttle
from accounts.mail import mail_name
from accounts.models import DEFAULT_TIME_ZONE, User
from core.client import client_ip
from core.rls import user_context

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


def verification_email_send(*, request, user) -> str:
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
        subject=gettext("Confirm your e-mail address for todo"),
        template="accounts/verification_email.txt",
        context=context,
    )
    return "sent" if sent else "failed"


def user_sign_up(
    *, email: str, name: str | None, password: str, time_zone: str = DEFAULT_TIME_ZONE
) -> User:
    """Create an unverified user from a validated sign-up form. One INSERT.

    The new row may only be inserted by its own identity, so it is written
    under that user's RLS context. `time_zone` is the browser's (or the one chosen).
    """
    user = User(email=email, name=name, time_zone=time_zone)
    user.set_password(password)
    with user_context(user.pk):
        user.save()
    return user


def email_verify(*, token: str) -> bool:
    """Mark the address the token names verified; whether it is now (False: account gone
    or address changed since). InvalidToken for a bad or expired token. Two queries."""
    claims = read_token(token)
    with user_context(claims["uid"]):
        mine = User.objects.filter(pk=claims["uid"], email=claims["email"])
        mine.update(email_verified=True)
        return mine.filter(email_verified=True).exists()


def user_delete(*, user: User) -> None:
    """Delete the account; the database cascade (fk_tasks_user_id and the archive's and
    trash's) removes every task with it. Runs in the request's RLS context (the user's)."""
    user.delete()
