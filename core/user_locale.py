"""The signed-in user's time zone and language, for the whole request.

LocaleMiddleware has already picked a language from the browser
(Accept-Language); a language chosen on the profile wins over it. Dates and
times render in the user's time zone (USE_TZ converts on output), and
core/clock.py's `today()` follows it. Anonymous visitors get UTC and the
browser's language. The user row is already loaded by the RLS middleware: no
query.
"""

import zoneinfo

from django.utils import timezone, translation

AVAILABLE_TIME_ZONES = frozenset(zoneinfo.available_timezones())


def user_time_zone(user) -> zoneinfo.ZoneInfo:
    """The user's zone; UTC for a name this system does not know (tzdata changes)."""
    name = getattr(user, "time_zone", "") or "UTC"
    return zoneinfo.ZoneInfo(name if name in AVAILABLE_TIME_ZONES else "UTC")


class UserLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            timezone.deactivate()
            return self.get_response(request)
        timezone.activate(user_time_zone(user))
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
