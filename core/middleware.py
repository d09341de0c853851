from django.db import transaction

from core.rls import set_rls_user


class RLSContextMiddleware:
    """Runs each request in one transaction acting as the signed-in user.

    ATOMIC_REQUESTS would wrap only the view; this covers the view and the
    rendering of its TemplateResponse, so lazy queries in templates see the
    user's rows too. Anonymous requests act as nobody (RLS shows no tasks).
    Sign-in and sign-up write last_login as the new user (accounts/signals.py);
    password reset and e-mail verification act as the user their token names
    (`set_rls_user()`, `user_context()`). A 5xx response rolls the request back.
    Streaming response bodies are produced after this transaction has ended:
    they must open their own with `user_context()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with transaction.atomic():
            user = request.user
            set_rls_user(user.pk if user.is_authenticated else None)
            response = self.get_response(request)
            if response.status_code >= 500:
                # The exception was already turned into a response: undo its writes.
                transaction.set_rollback(True)
        return response
