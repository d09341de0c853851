"""Every URL of the site (the admin aside), with real values for its parameters.

New URLs are picked up by themselves: a `<uuid:pk>` gets the given task's id
(another kind of row answers 404, which must carry the headers too); any other
parameter must be given a value in `parameters`, or the tests using this fail.
"""

import re

from django.contrib.auth.tokens import default_token_generator
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services

# Inline code a Content-Security-Policy without 'unsafe-inline' would block.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


def _names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from _names(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def site_urls(user, task) -> dict[str, str]:
    """{url name: a URL} for every named URL of the site."""
    parameters = {
        "password_reset_confirm": [
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
        "accounts:verify": [services.make_token(user)],
    }
    urls = {}
    for name, pattern in _names(get_resolver().url_patterns):
        converters = pattern.pattern.converters.values()
        if all(isinstance(c, UUIDConverter) for c in converters):
            parameters.setdefault(name, [task.pk] * len(converters))
        if name not in parameters:
            raise AssertionError(f"give {name!r} parameter values in core/tests/site_urls.py")
        urls[name] = reverse(name, args=parameters[name])
    return urls
