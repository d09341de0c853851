"""What `docker build` sends: never a dump, an environment file or the local database.

The patterns of .dockerignore are read with Docker's rules: `*` and `?` stay
within one path segment, `**` spans any number of them, a pattern that matches
a folder leaves out everything in it, and the last matching line wins (`!`
brings a path back).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _regex(pattern: str) -> re.Pattern:
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/"))
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def _rules() -> list[tuple[bool, re.Pattern]]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = []
    for line in (line.strip() for line in lines):
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), _regex(line.lstrip("!"))))
    return rules


def _ignored(path: str) -> bool:
    segments = path.split("/")
    prefixes = ["/".join(segments[: n + 1]) for n in range(len(segments))]
    ignored = False
    for negated, regex in _rules():
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        "todo.dump", "backups/2026-11-26.dump", "dump.sql", "old/dump.sql.gz", "x.backup",
        ".env", ".env.production", "deploy/.env", "deploy/.env.local",
        ".localdb/data/PG_VERSION", ".localdb.env", ".git/config", ".venv/bin/python",
    ],
)  # fmt: skip
def test_dumps_environment_files_and_the_local_database_stay_out(path):
    assert _ignored(path)


@pytest.mark.parametrize(
    "path",
    ["manage.py", ".env.example", "todo_site/settings.py", "requirements.txt",
     "templates/base.html", "static/css/base.css", "accounts/migrations/0001_create_users.py"],
)  # fmt: skip
def test_what_the_image_needs_goes_in(path):
    assert not _ignored(path)
