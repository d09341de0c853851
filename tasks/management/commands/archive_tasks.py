"""Move tasks completed more than N days ago (default 90) into `tasks_archive`.

Runs as the administrative role (every user's rows) in batches of --batch-size
tasks, each batch one short transaction (`WITH moved AS (DELETE ... RETURNING
...) INSERT ...`), so millions of rows never hold their locks for the whole run.
Safe to interrupt (Ctrl-C, a killed job) and to rerun: each batch moved
completely or not at all, and the next run takes what is left. `--dry-run` only
counts. Users see archived tasks at /tasks/archive/ and can restore them.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from ops.admin_alias import require_admin_alias
from tasks.services import archive_batches, archive_cutoff, archive_due_count


class Command(BaseCommand):
    help = "Archive tasks completed more than --days days ago (default 90), in batches."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="age in days (default 90)")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="tasks moved per transaction (default 5000)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, days, batch_size, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        using = require_admin_alias("archive_tasks")
        cutoff = archive_cutoff(days=days, using=using)
        due = archive_due_count(cutoff=cutoff, using=using)
        if dry_run:
            self.stdout.write(f"would archive {due} task(s) completed more than {days} days ago")
            return
        done, started = 0, time.monotonic()
        try:
            for moved in archive_batches(cutoff=cutoff, batch_size=batch_size, using=using):
                done += moved
                self._progress(done, due, started)
        except KeyboardInterrupt:
            self.stderr.write("")
            raise CommandError(
                f"interrupted after archiving {done} task(s); nothing is half-moved: "
                "run the command again to move the rest"
            ) from None
        if done:
            self.stderr.write("")
        self.stdout.write(
            self.style.SUCCESS(f"archived {done} task(s) completed more than {days} days ago")
        )

    def _progress(self, done, due, started):
        """One line on stderr, redrawn in place after each batch."""
        rate = done / max(time.monotonic() - started, 1e-6)
        self.stderr.write(
            f"\rarchived {done:,} of {max(due, done):,} task(s) ({rate:,.0f}/s)", ending=""
        )
        self.stderr.flush()
