"""Security events as one structured log line each (logger "security").

Each line is a JSON object: time, event, user id, client address, request id, and
event-specific fields. Never a password, a token, an e-mail body or a full
e-mail address: an address that may not belong to any account is logged as a
short keyed hash, enough to see repeated attempts on one address.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.utils import timezone

from core.client import client_ip

logger = logging.getLogger("security")


def email_digest(email: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def log_event(request, event: str, *, user=None, **fields) -> None:
    """Write one line for `event` (e.g. "login.failure"); `user` defaults to the signed-in one."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    record = {
        "at": timezone.now().isoformat(timespec="milliseconds"),
        "event": event,
        "user_id": str(user.pk) if user is not None else None,
        "ip": client_ip(request) if request is not None else None,
        "request_id": getattr(request, "request_id", None),
        **fields,
    }
    logger.info(json.dumps(record, sort_keys=True, default=str))
