"""The site's one clock: every "today" and "overdue" reads it.

Dates are the user's: the middleware activates their time zone, so `today()`
is the calendar day on the user's wall clock, across daylight-saving changes
too (zoneinfo does the arithmetic). Tests freeze time by replacing `now`.
"""

import zoneinfo
from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today(tz: zoneinfo.ZoneInfo | None = None) -> date:
    """The current date in `tz`, by default the active (the user's) time zone."""
    return timezone.localdate(now(), tz)
