"""Manage the project-local PostgreSQL cluster: start, stop, status, url.

`start` creates the cluster on first use, is idempotent, and returns only once
the server accepts connections. See todo_site/localdb.py for the layout.
`start --tls` also listens on 127.0.0.1 (a free port) for TLS connections with a
self-signed certificate, as a hosted PostgreSQL would; `url --tls verify-full`
prints a URL that uses it.
"""

from django.core.management.base import BaseCommand, CommandError

from todo_site import localdb


class Command(BaseCommand):
    help = "Manage the project-local PostgreSQL cluster (start, stop, status, url)."
    requires_system_checks = []  # must work before the database exists

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status", "url"])
        parser.add_argument(
            "--admin", action="store_true", help="with url: the administrative role's URL"
        )
        parser.add_argument(
            "--tls",
            nargs="?",
            const="verify-full",
            choices=["require", "verify-ca", "verify-full"],
            help="with start: also serve TLS on 127.0.0.1; with url: that URL, with this "
            "sslmode (default verify-full)",
        )

    def handle(self, *args, action, admin, tls, **options):
        try:
            getattr(self, f"_{action}")(admin=admin, tls=tls)
        except localdb.LocalDBError as exc:
            raise CommandError(str(exc)) from exc

    def _start(self, tls, **_):
        cluster, started_now = localdb.start(tls=bool(tls))
        verb = "started" if started_now else "already running"
        self.stdout.write(self.style.SUCCESS(f"local PostgreSQL {verb} in {cluster.base}"))
        if cluster.tls_port:
            self.stdout.write(
                f"TLS on 127.0.0.1:{cluster.tls_port} (certificate {cluster.certificate}); "
                "URLs: localdb url --tls [--admin]"
            )

    def _stop(self, **_):
        if localdb.stop():
            self.stdout.write(self.style.SUCCESS("local PostgreSQL stopped"))
        else:
            self.stdout.write("local PostgreSQL was not running")

    def _status(self, **_):
        cluster = localdb.locate()
        if localdb.is_running(cluster):
            tls = f", TLS on 127.0.0.1:{cluster.tls_port}" if cluster.tls_port else ""
            self.stdout.write(f"running in {cluster.base}{tls}")
        elif cluster.initialised:
            self.stdout.write(f"stopped ({cluster.base})")
        else:
            self.stdout.write("not created yet (run: python manage.py localdb start)")

    def _url(self, admin, tls, **_):
        self.stdout.write(localdb.url(admin=admin, tls=tls))
