"""Account e-mails: plain text, with user-supplied text made harmless.

A name is the only text a stranger can put into a mail sent from our domain
(sign up with someone else's address and a name such as "Visit evil.example to
claim your prize"). In a mail it is therefore cut short and stripped of what a
mail program would turn into a link (dots, colons, slashes, @), and every mail is
plain text: nothing is rendered as HTML.
"""

import logging
import re
import smtplib

from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

MAIL_NAME_MAX_LENGTH = 40
_LINK_MAKERS = re.compile(r"[^\w \-']+")


def mail_name(user) -> str:
    """The user's name as safe plain text for a greeting ("" when there is none)."""
    name = _LINK_MAKERS.sub(" ", user.name or "")
    name = " ".join(name.split())[:MAIL_NAME_MAX_LENGTH].strip()
    return name


def send(*, to: str, subject: str, template: str, context: dict) -> bool:
    """Send one plain-text mail; False (logged) when the mail server fails."""
    try:
        send_mail(
            subject=subject,
            message=render_to_string(template, context),
            from_email=None,
            recipient_list=[to],
        )
    except (OSError, smtplib.SMTPException):
        logger.exception("could not send %r", template)
        return False
    return True
