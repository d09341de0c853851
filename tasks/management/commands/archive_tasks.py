"""Move tasks completed more than N days ago (default 90) into `tasks_archive`.

Runs as the administrative role (every user's rows) in one transaction: either
every eligible task moves or none does. Safe for cron to re-run; `--dry-run`
only counts. Users see archived tasks at /tasks/archive/ and can restore them.
"""

from django.core.management.base import BaseCommand, CommandError

from ops.admin_alias import require_admin_alias
from tasks.services import tasks_archive_completed


class Command(BaseCommand):
    help = "Archive tasks completed more than --days days ago (default 90)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="age in days (default 90)")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        using = require_admin_alias("archive_tasks")
        count = tasks_archive_completed(days=days, using=using, dry_run=dry_run)
        verb = "would archive" if dry_run else "archived"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {count} task(s) completed more than {days} days ago")
        )
