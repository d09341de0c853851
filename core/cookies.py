"""Cookies with NUL, control or non-ASCII characters are treated as absent.

Browsers never send such values for cookies we set; only a hostile client does,
and PostgreSQL refuses a NUL in a query parameter (a 500 on every page before
this). The session cookie must also look like a key Django made.
"""

import re

from django.conf import settings

_PRINTABLE = re.compile(r"[\x21-\x7e]*")
_SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")
MAX_LENGTH = 4096


def _acceptable(name: str, value: str) -> bool:
    if len(value) > MAX_LENGTH or not _PRINTABLE.fullmatch(value):
        return False
    return name != settings.SESSION_COOKIE_NAME or bool(_SESSION_KEY.fullmatch(value))


class CookieSanitizerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = [name for name, value in request.COOKIES.items() if not _acceptable(name, value)]
        for name in bad:
            del request.COOKIES[name]
        return self.get_response(request)
