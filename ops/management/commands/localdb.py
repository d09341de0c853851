"""Manage the project-local PostgreSQL cluster: start, stop, status, url.

`start` creates the cluster on first use, is idempotent, and returns only once
the server accepts connections. See devtools/localdb.py for the layout.
"""

from django.core.management.base import BaseCommand, CommandError

from devtools import localdb


class Command(BaseCommand):
    help = "Manage the project-local PostgreSQL cluster (start, stop, status, url)."
    requires_system_checks = []  # must work before the database exists

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status", "url"])
        parser.add_argument(
            "--admin", action="store_true", help="with url: the administrative role's URL"
        )

    def handle(self, *args, action, admin, **options):
        try:
            getattr(self, f"_{action}")(admin=admin)
        except localdb.LocalDBError as exc:
            raise CommandError(str(exc)) from exc

    def _start(self, **_):
        cluster, started_now = localdb.start()
        verb = "started" if started_now else "already running"
        self.stdout.write(self.style.SUCCESS(f"local PostgreSQL {verb} in {cluster.base}"))

    def _stop(self, **_):
        if localdb.stop():
            self.stdout.write(self.style.SUCCESS("local PostgreSQL stopped"))
        else:
            self.stdout.write("local PostgreSQL was not running")

    def _status(self, **_):
        cluster = localdb.locate()
        if localdb.is_running(cluster):
            self.stdout.write(f"running in {cluster.base}")
        elif cluster.initialised:
            self.stdout.write(f"stopped ({cluster.base})")
        else:
            self.stdout.write("not created yet (run: python manage.py localdb start)")

    def _url(self, admin, **_):
        self.stdout.write(localdb.url(admin=admin))
