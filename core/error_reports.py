"""What an error report (the DEBUG page, mail to admins) may show.

Django masks settings and request.META entries whose names look secret (KEY,
PASS, TOKEN...). A database or mail URL carries its password inside the value
under a name that does not look secret (DATABASE_URL, ADMIN_DATABASE_URL, and
runserver copies the environment into META). This filter also masks those names,
and masks the password of any `scheme://user:password@` URL wherever one appears:
settings, META, the local variables of the traceback's frames, and the
exception's own message (a connection error may quote its URL).
"""

import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@", re.IGNORECASE)


def _mask(text: str) -> str:
    return _URL_PASSWORD.sub(
        lambda m: m.group("head") + SafeExceptionReporterFilter.cleansed_substitute + "@", text
    )


def scrub(value):
    """The value with every URL's password masked; any other object whose text
    holds such a URL (an exception, a dict) is replaced by its masked text."""
    if isinstance(value, str):
        return _mask(value)
    if value is not None and not isinstance(value, (int, float, bool)):
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 (a broken __repr__ must not break the report)
            return value
        if _URL_PASSWORD.search(text):
            return _mask(text)
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


class Reporter(ExceptionReporter):
    def get_traceback_data(self):
        data = super().get_traceback_data()
        data["exception_value"] = scrub(data.get("exception_value"))
        for frame in data.get("frames", []):
            frame["exc_cause"] = scrub(str(frame["exc_cause"])) if frame.get("exc_cause") else None
        return data
