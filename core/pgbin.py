"""Where PostgreSQL's programs are: shared by the operator commands and the local-cluster tool.

Plain Python, no Django: devtools/localdb.py runs before any settings exist.
"""

import glob
import shutil


class ProgramNotFound(Exception):
    """A one-line, user-facing reason: the program is not installed."""


def find_program(name: str) -> str:
    """The newest installed PostgreSQL program `name` (server packages first, then PATH)."""
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise ProgramNotFound(
            f"PostgreSQL programs ({name}) not found: install them "
            "(Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL"
        )
    return found
