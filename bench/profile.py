"""Where the time of one list request goes: `python -m bench.profile [PATH] [-n N]`.

Runs N requests (default 200) of PATH (default /tasks/) in this process through
Django's full stack (middleware, session, RLS transaction, view, template), as
the user with the most tasks, under cProfile, and prints the share of each part:
database (time inside the driver's execute and fetch), template rendering, the
session, URL reversing, and the rest (Django's handler and middleware, the view's
Python). Needs a database with data: `BENCH_KEEP=1 make bench` keeps one; point
DATABASE_URL / ADMIN_DATABASE_URL at it (or run against the local default).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _parts():
    """(label, function) pairs whose cumulative time is reported."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.backends.utils import CursorWrapper
    from django.template.backends.django import Template
    from django.template.defaulttags import URLNode
    from django.template.loader_tags import IncludeNode

    from tasks.views import task_list

    return [
        ("database (execute, as the application role)", CursorWrapper._execute),
        ("session load", SessionStore.load),
        ("view function (queries included)", task_list.__wrapped__),
        ("template rendering", Template.render),
        ("  of which {% url %}", URLNode.render),
        ("  of which {% include %}", IncludeNode.render),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="/tasks/")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_site.settings")
    os.environ.setdefault("SECRET_KEY", "profile-only-secret-key-0123456789-abcdefghijklmnop")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    heavy_id = (
        User.objects.using("admin")
        .annotate(n=Count("tasks"))
        .order_by("-n")
        .values_list("id", flat=True)
        .first()
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.using("admin").get(pk=heavy_id))
    for _ in range(10):  # warm up: connections, template cache
        assert client.get(args.path).status_code == 200
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.n):
        client.get(args.path)
    profiler.disable()
    per_request = (time.perf_counter() - started) / args.n * 1000
    stats = pstats.Stats(profiler)
    print(f"{args.path}: {per_request:.2f} ms per request under the profiler ({args.n} requests)")
    for label, function in _parts():
        code = function.__code__
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        cumulative = stats.stats[key][3] if key in stats.stats else 0.0
        share = cumulative / args.n * 1000
        print(f"  {label:50s} {share:7.2f} ms  {share / per_request:5.0%}")
    stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(30)


if __name__ == "__main__":
    main()
