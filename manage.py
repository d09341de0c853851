#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    if sys.argv[1:2] == ["localdb"]:
        # The project-local cluster (devtools/localdb.py) provides the database
        # the settings point at, so it runs before Django loads any settings.
        from devtools.localdb import main as localdb

        sys.exit(localdb(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
