"""Settings of the benchmark only (`make bench`): the site's own, plus two baseline pages.

Production settings unchanged (DEBUG off, the manifest static storage), so the
pages measured are the pages served; only the URLconf and a template folder are
added, and static files are collected into a folder the runner chooses.
"""

import os

from todo_site.settings import *  # noqa: F403
from todo_site.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]},
    *TEMPLATES[1:],
]
