"""Bulk synthetic users and tasks for load tests and benchmarks, written with COPY.

Each run adds N users named `load-<run>-<n>@example.test` (one password for all,
hashed once: --password) with M tasks each: titles and descriptions from a small
vocabulary, about a third completed, created over the past year. Runs as the
administrative role (it writes every user's rows) in one transaction per batch
of users, so an interrupted run leaves only whole users behind.
Remove the data with: DELETE FROM users WHERE email LIKE 'load-%@example.test'.
"""

import random
import secrets
import time
import uuid
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.utils import timezone

from ops.admin_alias import require_admin_alias
from tasks.models import TASK_COLUMNS

VERBS = ["Buy", "Call", "Write", "Fix", "Plan", "Read", "Clean", "Review", "Book", "Send"]
THINGS = [
    "groceries",
    "the dentist",
    "a report",
    "the bike",
    "holidays",
    "chapter 5",
    "the kitchen",
    "pull request",
    "tickets",
    "invoices",
]
USERS_PER_BATCH = 200


class Command(BaseCommand):
    help = "Add N synthetic users with M tasks each, fast (COPY), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, required=True)
        parser.add_argument("--tasks-per-user", type=int, required=True)
        parser.add_argument(
            "--password", default="load-test-password", help="password of every generated user"
        )
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable)")

    def handle(self, *args, users, tasks_per_user, password, seed, **options):
        if users < 1 or tasks_per_user < 0:
            raise CommandError("--users must be at least 1 and --tasks-per-user at least 0")
        if users * tasks_per_user > 200_000_000:
            raise CommandError("refusing more than 200,000,000 tasks in one run")
        using = require_admin_alias("generate_data")
        rng = random.Random(seed)
        run = secrets.token_hex(3)
        password_hash = make_password(password)
        started = time.monotonic()
        done = 0
        while done < users:
            batch = min(USERS_PER_BATCH, users - done)
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
                user_ids = self._copy_users(cursor.cursor, run, done, batch, password_hash)
                self._copy_tasks(cursor.cursor, user_ids, tasks_per_user, rng)
            done += batch
            if options["verbosity"] >= 1:
                self._progress(done, users, tasks_per_user, started)
        self.stderr.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"added {users:,} users (load-{run}-*@example.test) and "
                f"{users * tasks_per_user:,} tasks in {time.monotonic() - started:.1f}s"
            )
        )

    def _copy_users(self, cursor, run, start, count, password_hash):
        ids = [uuid.uuid4() for _ in range(count)]
        with cursor.copy(
            "COPY users (id, email, password, name, email_verified, is_active, is_staff, "
            "is_superuser) FROM STDIN"
        ) as copy:
            for offset, user_id in enumerate(ids):
                n = start + offset
                copy.write_row(
                    (
                        user_id,
                        f"load-{run}-{n}@example.test",
                        password_hash,
                        f"Load User {n}",
                        True,
                        True,
                        False,
                        False,
                    )
                )
        return ids

    def _copy_tasks(self, cursor, user_ids, per_user, rng):
        now = timezone.now()
        with cursor.copy(
            f"COPY tasks ({', '.join(TASK_COLUMNS)}) FROM STDIN"  # values in this order
        ) as copy:
            for user_id in user_ids:
                for _ in range(per_user):
                    created = now - timedelta(seconds=rng.randrange(365 * 24 * 3600))
                    copy.write_row(
                        (
                            uuid.uuid4(),
                            user_id,
                            f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
                            None if rng.random() < 0.5 else f"Note {rng.randrange(10_000)}",
                            rng.random() < 0.33,
                            created,
                            created,
                        )
                    )

    def _progress(self, done, total, per_user, started):
        """One line on stderr, redrawn in place."""
        width = 30
        filled = width * done // total
        rate = done * per_user / max(time.monotonic() - started, 1e-6)
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} users "
            f"({rate:,.0f} tasks/s)",
            ending="",
        )
        self.stderr.flush()
