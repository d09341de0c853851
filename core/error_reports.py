"""What an error report (the DEBUG page, mail to admins) may show.

Django masks settings and request.META entries whose names look secret (KEY,
PASS, TOKEN...). A database or mail URL carries its password inside the value
under a name that does not look secret (DATABASE_URL, ADMIN_DATABASE_URL, and
runserver copies the environment into META). This filter also masks those names,
and masks the password of any `scheme://user:password@` URL wherever one appears:
settings, META, and the local variables of the traceback's frames.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@", re.IGNORECASE)


def scrub(value):
    """The value with every URL's password replaced by the mask."""
    if isinstance(value, str):
        return _URL_PASSWORD.sub(
            lambda m: m.group("head") + SafeExceptionReporterFilter.cleansed_substitute + "@",
            value,
        )
    return value


class ReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE|_URL$|DSN", flags=re.I
    )

    def cleanse_setting(self, key, value):
        return scrub(super().cleanse_setting(key, value))

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, scrub(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
