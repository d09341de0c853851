import contextlib
import uuid
from functools import partial

from asgiref.sync import sync_to_async
from django.contrib import auth
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import UpdateError
from django.db import connection, transaction
from django.utils.functional import SimpleLazyObject

from core.rls import set_rls_user, user_context


def _claimed_user_id(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.session[auth.SESSION_KEY]))
    except (KeyError, ValueError):
        return None


def load_user(request):
    """The session's user, read from `users` under that user's own database identity.

    `users` shows a user row only to its own identity, so the id the session
    claims becomes the identity before the row is read; when Django then refuses
    the session (unknown user, password changed since), the identity goes back
    to nobody. Inside the request's transaction the identity stays for the
    request (one query more than Django's loading); elsewhere it lasts for the
    lookup only.
    """
    if hasattr(request, "_cached_user"):
        return request._cached_user
    user_id = _claimed_user_id(request)
    if user_id is None:
        user = AnonymousUser()
    elif connection.in_atomic_block:
        set_rls_user(user_id)
        user = auth.get_user(request)
        if user.pk != user_id:
            set_rls_user(None)
    else:
        with user_context(user_id):
            user = auth.get_user(request)
    request._cached_user = user
    return user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, except that the user is loaded by `load_user` (its own identity first)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: load_user(request))
        request.auser = partial(sync_to_async(load_user), request)


class RLSContextMiddleware:
    """Runs each request in one transaction acting as the signed-in user.

    ATOMIC_REQUESTS would wrap only the view; this covers the view and the
    rendering of its TemplateResponse, so lazy queries in templates see the
    user's rows too. Anonymous requests act as nobody (RLS shows no tasks).
    Before anyone is signed in, the steps that need one user's row get exactly
    that row through a signed claim (core/rls.py): sign-in and sign-up's
    address check (`email_context`), the new account's INSERT, password reset
    and e-mail verification (`user_context` of the user their token names).
    A 5xx response rolls the request back; otherwise a changed session is saved
    in this transaction too, so the request commits once. Streaming response bodies are
    produced after this transaction has ended: they open their own with
    `user_context()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The COMMIT's answer is read by AwaitCommitMiddleware, once the
        # response is built (core/postgresql/base.py).
        with connection.defer_commit_wait(), transaction.atomic():
            loaded_elsewhere = hasattr(request, "_cached_user")
            user = request.user
            if loaded_elsewhere or not user.is_authenticated:
                set_rls_user(user.pk if user.is_authenticated else None)
            # else load_user just set this user's identity in this transaction.
            response = self.get_response(request)
            if response.status_code >= 500:
                # The exception was already turned into a response: undo its writes.
                transaction.set_rollback(True)
            else:
                _save_changed_session(request)
        return response


class AwaitCommitMiddleware:
    """Holds each response until its request's COMMIT has answered.

    RLSContextMiddleware's COMMIT is sent without waiting for PostgreSQL's WAL
    flush, and the middleware between the two build the response meanwhile
    (core/postgresql/base.py). A COMMIT that failed raises here, and Django
    answers with the 500 page instead: no response says a change was saved
    before it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        connection.wait_commit()
        return response


def _save_changed_session(request) -> None:
    """Save a changed session in the request's transaction, where SessionMiddleware
    would save it in a transaction of its own after this one: one commit, and one
    wait for its WAL flush, instead of two (a bulk change keeps its Undo in the session).
    SessionMiddleware's save then repeats this one and is skipped (core/sessions.py).
    """
    session = getattr(request, "session", None)
    if session is None or not session.modified or session.session_key is None:
        return
    if session.is_empty():
        return  # SessionMiddleware deletes the cookie instead of saving
    # Deleted meanwhile (a sign-out in another tab): SessionMiddleware's save says so.
    with contextlib.suppress(UpdateError):
        session.save()
