"""Helpers shared by every app's tests (fixtures are in the root conftest.py)."""

from django.db import connection

from core.middleware import RLSContextMiddleware
from core.rls import set_rls_user

RLS_MIDDLEWARE = "core.middleware.RLSContextMiddleware"
TEST_RLS_MIDDLEWARE = "core.tests.helpers.RLSContextMiddlewareInTests"


class RLSContextMiddlewareInTests(RLSContextMiddleware):
    """The request middleware, plus one thing only tests need.

    A test's own transaction encloses the test client's requests, and the
    request's savepoint, once released, leaves its RLS user on that transaction:
    this resets it, so the test's next queries act as nobody, as they would after
    a real request's COMMIT. The root conftest.py swaps it in for every test.
    """

    def __call__(self, request):
        nested = connection.in_atomic_block
        response = super().__call__(request)
        if nested:
            set_rls_user(None)
        return response
