"""Undo for deletes and bulk changes: what to reverse, and where it is kept.

Each undoable action makes a record: the action, the ids it changed, the list
state to return to and the time. The confirmation message carries a token for
the record in a POST form (includes/messages.html), so Undo works without
JavaScript. A token works UNDO_SECONDS (well over the minute promised), once,
and only in the session that made it; the services check ownership anyway.

A record of up to SIGNED_IDS ids (every delete, a small bulk change) is the
token itself, signed under SECRET_KEY with the session's key in the salt, so
the action writes nothing but its own change: kept in the session, the record
of a delete was an UPDATE of its django_session row in every delete, and cost
the delete about a tenth of its speed (docs/scaling.md). Taking it writes its
signature to the session, which is what makes it work once. A larger record
is kept in the session under a random token, with at most UNDO_KEEP of them.
"""

import secrets
import time

from django.core import signing

SESSION_KEY = "tasks_undo"
USED_KEY = "tasks_undo_used"  # the signatures of the signed tokens already taken
UNDO_SECONDS = 10 * 60
UNDO_KEEP = 5
SIGNED_IDS = 10
ACTIONS = ("delete", "archive", "complete", "reopen")
TAG_PREFIX = "undo:"


def _salt(request) -> str:
    return f"tasks.undo:{request.session.session_key}"


def _is_signed(token: str) -> bool:
    # A signed record always has a colon (value:time:signature); token_urlsafe has none.
    return ":" in token


def undo_offer(request, *, action: str, ids: list, state: dict) -> str:
    """A record of how to reverse `action` on `ids`; returns the message's extra tag."""
    assert action in ACTIONS
    now = time.time()
    record = {"action": action, "ids": [str(i) for i in ids], "state": state, "at": now}
    if len(ids) <= SIGNED_IDS and request.session.session_key:
        return TAG_PREFIX + signing.dumps(record, salt=_salt(request), compress=True)
    records = {
        token: kept
        for token, kept in request.session.get(SESSION_KEY, {}).items()
        if now - kept["at"] < UNDO_SECONDS
    }
    records[secrets.token_urlsafe(16)] = record
    newest = sorted(records.items(), key=lambda item: item[1]["at"])[-UNDO_KEEP:]
    request.session[SESSION_KEY] = dict(newest)
    return TAG_PREFIX + newest[-1][0]


def undo_take(request, token: str) -> dict | None:
    """The record for `token`, used up; None when unknown, used, expired or another session's."""
    if not isinstance(token, str):
        return None
    if _is_signed(token):
        record = _take_signed(request, token)
    else:
        records = request.session.get(SESSION_KEY, {})
        record = records.pop(token, None)
        if record is not None:
            request.session[SESSION_KEY] = records
    if record is None or time.time() - record["at"] >= UNDO_SECONDS:
        return None
    return record


def _take_signed(request, token: str) -> dict | None:
    try:
        record = signing.loads(token, salt=_salt(request))
    except signing.BadSignature:
        return None
    now = time.time()
    used = {
        signature: at
        for signature, at in request.session.get(USED_KEY, {}).items()
        if now - at < UNDO_SECONDS
    }
    signature = token.rsplit(":", 1)[1]
    if signature in used:
        return None
    used[signature] = record["at"]
    request.session[USED_KEY] = used
    return record
