"""The site's own error pages: 400, 403 (and the CSRF failure), 404, 405, 429, 500, 503.

Every page uses the site's layout and reveals nothing internal (no exception,
no path of code, no SQL). Server errors (5xx) show the request id, which is also
in the one log line Django writes for them (`django.request`, with the
traceback), so a user's report leads to the log entry.

A lost database connection (PostgreSQL restarting, a network cut) is a 503, not
a 500: the request fails fast (the connection error comes at once, or after
`connect_timeout`), rolls back, and the next request reconnects by itself.

4xx pages render with the request (header, messages, a fresh CSRF token), since
the database works; 5xx pages render without it, because the database may be
the very thing that failed and the request's transaction may be aborted.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

PAGES = {
    400: (_("Bad request"), _("The request could not be understood, so nothing was changed.")),
    403: (_("Not allowed"), _("You are not allowed to do that.")),
    404: (_("Not found"), _("There is nothing here, or it is not yours to see.")),
    405: (
        _("Not allowed here"),
        _("This page cannot be used that way. Follow a link or a button on the site instead."),
    ),
    429: (_("Too many requests"), _("Please wait a little and try again.")),
    500: (
        _("Something went wrong"),
        _("Something went wrong on our side. What you sent was not saved; please try again."),
    ),
    503: (
        _("Briefly unavailable"),
        _(
            "The site cannot reach its database right now. Please try again in a few seconds: "
            "sending the same form again will not add anything twice."
        ),
    ),
}
# How long a client should wait before retrying while the database is away.
RETRY_AFTER_SECONDS = 5


def error_response(request, status: int, **context) -> HttpResponse:
    """Our page for `status`. 5xx pages render without the request: no database query."""
    title, message = PAGES[status]
    context = {"status": status, "title": title, "message": message, "page": "error", **context}
    if status >= 500:
        context["request_id"] = getattr(request, "request_id", "")
        html = loader.render_to_string("error.html", context)
    else:
        html = loader.render_to_string("error.html", context, request=request)
    response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception):
    return error_response(request, 400)


def permission_denied(request, exception):
    return error_response(request, 403)


def page_not_found(request, exception):
    return error_response(request, 404)


def server_error(request):
    """handler500. Called while the exception is being handled, so it can look at it.

    A request can fail twice: the view's error is answered inside the request's
    transaction, then the rollback fails too on a dead connection and is answered
    again outside it. Django logs each answer; the second is marked as logged, so
    every request's 5xx is logged once.
    """
    exc = sys.exc_info()[1]
    status = 503 if isinstance(exc, OperationalError | InterfaceError) else 500
    response = error_response(request, status)
    if getattr(request, "_server_error_answered", False):
        response._has_been_logged = True  # read by django.utils.log.log_response
    request._server_error_answered = True
    return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was older than the session (or came from elsewhere).

    Offers a fresh copy of the page the form was on (the Referer, when it is this
    site) instead of resending anything: a form posted from another site must not
    be one click away from succeeding.
    """
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return error_response(
        request,
        403,
        title=_("Your form expired"),
        message=_(
            "This form was open for too long, or you signed in or out in another tab "
            "meanwhile, so it was not sent and nothing was changed."
        ),
        fresh_url=referer if safe else "/",
    )


class ErrorPageMiddleware:
    """Gives the bodiless 405 of `require_http_methods` (and any bodiless 429) our page.

    Innermost, inside the request's transaction, so the page renders like any other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (405, 429) and not response.streaming and not response.content:
            page = error_response(request, response.status_code)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    page[header] = response[header]
            return page
        return response
