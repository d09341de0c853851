"""Response headers every page gets: Content-Security-Policy, Permissions-Policy,
and `Cache-Control: no-store` whenever a user is signed in.

The policy allows scripts and styles from our own origin only (no inline code,
no `unsafe-inline`): an injected `<script>` or `style=` attribute does nothing.
Pictures may come from anywhere over http(s), because a profile picture is any
address the user gives. Nothing may frame the site, and forms post only to it.
"""

from django.utils.cache import patch_cache_control

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https: http:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A shared or back-button cache must never keep a page with someone's
        # data (or the export). `user` exists once AuthenticationMiddleware ran,
        # and is already loaded by then, so this costs no query.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
