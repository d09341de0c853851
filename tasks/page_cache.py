"""The list page, kept as rendered until the user's tasks change.

A heavy user's list page cost about three times the benchmark's bare page
(counts, paging, 50 rendered rows; README "Performance"), and most list views
repeat one that nothing has changed since: a reload, a tab and back, paging
back. So a rendered page is kept, per process, under everything it depends on:

- the user's tasks: the `version` of each of their `task_counts` rows, one of
  which the database renews at every statement that writes them, whatever
  wrote it (migrations 0017, 0018). They are read before the page's queries,
  so a page is never kept under versions older than its rows;
- the request: the list state (tab, search, sort, page and cursor, as parsed:
  other query parameters make no new page), the language, the user's today
  (due labels, Today and Upcoming), the script prefix;
- what the layout shows of the user and its preferences (name, picture,
  verified or not, default sort).

The one-time parts are holes filled for each response: the CSRF token (masked
anew each time, as Django does) and the quick-add form's submit token. A page
with flash messages is rendered, not served from here: messages are shown once.

Isolation does not rest on this cache: the key starts with the signed-in
user's id, and a page is only ever stored by that user's own request. The
cache is per process (LocMemCache, settings.CACHES["pages"]), bounded in
entries and time.
"""

import functools
import hashlib
import uuid
import zlib
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from core import clock
from tasks.models import TaskCounts

CACHE_ALIAS = "pages"


@functools.cache
def _hole(name: str) -> str:
    # Secret-derived: no task title can contain it, and it is the same in every
    # process of one deployment. Made on first use: settings may lack the secret
    # at import (`check --deploy` says so).
    return salted_hmac("tasks.page_cache", name).hexdigest()


def _key(request, page: str) -> str:
    user = request.user
    version = TaskCounts.objects.version_of(user)
    parts = (
        user.pk,
        version,
        page,
        get_language(),
        clock.today(),
        get_script_prefix(),
        user.display_name,
        user.email,
        user.image,
        user.email_verified,
        user.task_sort,
    )
    return "list:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _filled(html: str, request) -> HttpResponse:
    html = html.replace(_hole("csrf"), get_token(request))
    html = html.replace(_hole("submit"), str(uuid.uuid4()))
    return HttpResponse(html)


def serve(request, page: str, render: Callable[[str, str], HttpResponse]) -> HttpResponse:
    """The page `render(csrf_token, submit_token)` makes, from the cache when nothing changed.

    `page` names the page among the user's (the list state's query string);
    `render` must put the two tokens it is given where the page's forms send them.
    """
    if len(messages.get_messages(request)):
        return render(get_token(request), str(uuid.uuid4()))
    cache = caches[CACHE_ALIAS]
    key = _key(request, page)
    kept = cache.get(key)
    if kept is None:
        response = render(_hole("csrf"), _hole("submit"))
        if response.status_code != 200:
            return response
        kept = response.content
        # Compressed: a heavy user's page is 87 KB, 15 KB so (0.9 ms to compress
        # once, 0.2 ms to expand per view), which keeps 300 pages under 5 MB a process.
        cache.set(key, zlib.compress(kept, 1))
    else:
        kept = zlib.decompress(kept)
    return _filled(kept.decode(), request)
