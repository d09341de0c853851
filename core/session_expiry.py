"""Sessions end after two weeks without a visit (SESSION_COOKIE_AGE).

Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) would cost a
write per page; instead the expiry moves forward at most once a day, so a
session idle for 13 to 14 days ends.
"""

import time

REFRESH_EVERY = 24 * 3600
_KEY = "_refreshed_at"


def mark_fresh(sender, request, user, **kwargs):
    """At sign-in (receiver of user_logged_in): the session was just saved with a full age."""
    if request is not None and hasattr(request, "session"):
        request.session[_KEY] = int(time.time())


class SessionRefreshMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            last = session.get(_KEY)
            if not isinstance(last, int) or now - last >= REFRESH_EVERY:
                session[_KEY] = now  # marks the session modified: saved with a new expiry
        return response
