"""A short id for every request: in the `X-Request-ID` response header, in every log
line written while the request runs, and on the error pages, so a user can quote
it and an operator can find the matching log entry.

The id is always made here, never taken from the client: an id chosen by the
client could point an operator at someone else's log lines.
"""

import contextvars
import logging
import uuid

HEADER = "X-Request-ID"
_current = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request this thread is serving, or "-" outside a request."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, for the `%(request_id)s` of the log format."""

    def filter(self, record):
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True
