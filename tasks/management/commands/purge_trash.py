"""Remove deleted tasks kept in `tasks_trash` for more than N days (default 30).

Deleting a task moves it to the trash so that Undo and the export still have
it; after --days it is gone for good. Runs as the administrative role (every
user's rows) in one DELETE; safe for cron to re-run; `--dry-run` only counts.
"""

from django.core.management.base import BaseCommand, CommandError

from ops.admin_alias import require_admin_alias
from tasks.services import trash_purge


class Command(BaseCommand):
    help = "Remove tasks deleted more than --days days ago (default 30) from the trash."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="age in days (default 30)")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        using = require_admin_alias("purge_trash")
        count = trash_purge(days=days, using=using, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(f"{verb} {count} task(s) deleted more than {days} days ago")
            )
