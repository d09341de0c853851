"""Undo for deletes and bulk changes: what to reverse, kept in the user's session.

Each undoable action stores a record under a random token: the action, the
ids it changed and the list state to return to. The confirmation message
carries the token in a POST form (includes/messages.html), so Undo works
without JavaScript. Records live UNDO_SECONDS (well over the minute promised),
and only the last UNDO_KEEP are kept. The session is the user's own, so a token
can never reach another user's tasks; the services check ownership anyway.
"""

import secrets
import time

SESSION_KEY = "tasks_undo"
UNDO_SECONDS = 10 * 60
UNDO_KEEP = 5
ACTIONS = ("delete", "archive", "complete", "reopen")
TAG_PREFIX = "undo:"


def undo_offer(request, *, action: str, ids: list, state: dict) -> str:
    """Remember how to reverse `action` on `ids`; returns the message's extra tag."""
    assert action in ACTIONS
    now = time.time()
    records = {
        token: record
        for token, record in request.session.get(SESSION_KEY, {}).items()
        if now - record["at"] < UNDO_SECONDS
    }
    token = secrets.token_urlsafe(16)
    records[token] = {"action": action, "ids": [str(i) for i in ids], "state": state, "at": now}
    newest = sorted(records.items(), key=lambda item: item[1]["at"])[-UNDO_KEEP:]
    request.session[SESSION_KEY] = dict(newest)
    return TAG_PREFIX + token


def undo_take(request, token: str) -> dict | None:
    """The record for `token`, removed from the session; None when unknown or expired."""
    records = request.session.get(SESSION_KEY, {})
    record = records.pop(token, None) if isinstance(token, str) else None
    if record is None:
        return None
    request.session[SESSION_KEY] = records
    if time.time() - record["at"] >= UNDO_SECONDS:
        return None
    return record
