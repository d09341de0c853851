"""Bulk synthetic users and tasks for load tests and benchmarks, generated inside PostgreSQL.

Each run adds N users named `load-<run>-<n>@example.test` (one password for all,
hashed once: --password) with M tasks each, or --heavy-tasks for the first
--heavy-users of them (the skew of a real site: a few users with very long
lists). Titles and descriptions come from a small vocabulary, about a third are
completed, and each user's tasks are spread over the past year.

Why it is fast (about 10x the earlier COPY from Python): the rows are produced
by `INSERT … SELECT … FROM generate_series` in the server, so no row crosses the
wire, and when `tasks` is empty (a fresh benchmark database) the indexes and
keys of `tasks` and `users` (but the users' primary key, which other tables'
foreign keys use) are dropped and built afterwards from the catalog's own
definitions, which sorts once instead of inserting millions of times into each
B-tree (pg_restore's order). Everything runs in ONE transaction as the
administrative role: an interrupted run leaves nothing behind, and nobody sees
a table without its indexes (the drop holds an exclusive lock until COMMIT, so
sign-ins wait for it: a fresh database only).

Rows of different users are interleaved on disk as in a live database: the
tasks are written in batches that each cover one slice of the year for every
user, each batch going round the users with the heavy users' rows spread evenly
among the others' (in the order generated: no sort), so neighbouring rows
belong to different users and the planner is not flattered by one user's rows
sitting together.
Remove the data with: DELETE FROM users WHERE email LIKE 'load-%@example.test'.
"""

import secrets
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

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
# Every verb with every thing, drawn with one random(): the same titles as a verb
# and a thing drawn apart, for one draw instead of two and a concatenation.
TITLES = [f"{verb} {thing}" for verb in VERBS for thing in THINGS]
MAX_TASKS = 200_000_000
USERS_PER_STATEMENT = 100_000
TASKS_PER_BATCH = 500_000

# Ids are built from integers: the user's number n (for a task, n and k) XOR the
# run's random 64-bit prefix, then the prefix. The task batches can thus name each
# user without reading the users back, and the ids cost a third of
# gen_random_uuid() (whose strong random bytes were a quarter of the generation
# time). The varying half comes first because PostgreSQL sorts uuids by their
# first 8 bytes before comparing them whole ("abbreviated keys"): with a constant
# first half, as before, every index build over user_id or id gave abbreviation up
# and ran about twice as long as with real random ids.
USER_ID = (
    "encode(int8send(n::int8 # %(user_prefix)s::int8) || int8send(%(user_prefix)s::int8), "
    "'hex')::uuid"
)
TASK_ID = (
    "encode(int8send((n::int8 << 32 | k) # %(task_prefix)s::int8) "
    "|| int8send(%(task_prefix)s::int8), 'hex')::uuid"
)
USER_TASKS = "(CASE WHEN n < %(heavy_users)s THEN %(heavy_tasks)s ELSE %(per_user)s END)"

INSERT_USERS = f"""
INSERT INTO users (id, email, password, name, email_verified, is_active, is_staff,
                   is_superuser, created_at, updated_at)
SELECT {USER_ID}, 'load-' || %(run)s || '-' || n || '@example.test', %(password)s,
       'Load User ' || n, true, true, false, false, now(), now()
FROM generate_series(%(first)s::int, %(last)s::int) AS n
"""  # noqa: S608 (constant fragments only; every value is a bound parameter)

# Batch b of B holds, for every user, the tasks k whose place in the year falls
# in slice b: created_at = a year ago + (k + jitter) / count of the year. The rows
# are written in the order they are generated, no sort: position p of the batch
# holds a heavy user's task where p * heavy rows / all rows steps up (so the
# heavy rows are spread evenly through the batch, one every all/heavy rows), and
# the next light user's task otherwise; both kinds go round their users (each
# user's first task of the batch, then each one's second...), so two
# neighbouring rows belong to different users.
INSERT_TASKS = f"""
INSERT INTO tasks ({", ".join(TASK_COLUMNS)})
SELECT id, user_id, title, description, completed, at, at, due_date, priority
FROM (
    SELECT {TASK_ID} AS id, {USER_ID} AS user_id,
           (%(titles)s::text[])[1 + floor(random() * %(n_titles)s)::int] AS title,
           CASE WHEN random() < 0.5 THEN NULL
                ELSE 'Note ' || floor(random() * 10000)::int END AS description,
           random() < 0.33 AS completed,
           now() - interval '365 days' * (1 - (k + random()) / {USER_TASKS}) AS at,
           -- Half dated, from three weeks ago to six weeks ahead; priorities 0 to 3.
           CASE WHEN random() < 0.5 THEN NULL
                ELSE current_date + floor(random() * 63 - 21)::int END AS due_date,
           floor(random() * 4)::int AS priority
    FROM (
        -- q: how many heavy rows come before position p.
        SELECT CASE WHEN heavy THEN q %% %(heavy_round)s
                    ELSE %(heavy_users)s + (p - q) %% %(light_round)s END AS n,
               CASE WHEN heavy THEN %(heavy_first)s + q / %(heavy_round)s
                    ELSE %(light_first)s + (p - q) / %(light_round)s END AS k
        FROM (
            SELECT p, p * %(heavy_rows)s / %(rows)s AS q,
                   (p + 1) * %(heavy_rows)s / %(rows)s > p * %(heavy_rows)s / %(rows)s AS heavy
            FROM generate_series(0::int8, %(rows)s - 1) AS p
        ) AS positions
    ) AS slots
) AS generated
"""  # noqa: S608 (constant fragments only; every value is a bound parameter)

# What a bulk load into a fresh database drops and rebuilds, read from the catalog
# so new indexes (later migrations) are covered without a list here: primary,
# unique and foreign keys as constraints, every other index as itself; but not a
# key that another table's foreign key uses (the primary key of `users`).
CONSTRAINTS = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint AS c
WHERE conrelid = %s::regclass AND contype IN ('p', 'f', 'u')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS f
                  WHERE f.contype = 'f' AND f.confrelid = c.conrelid AND f.conindid = c.conindid)
ORDER BY contype DESC, conname
"""
INDEXES = """
SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid = %s::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)
ORDER BY 1
"""


class Command(BaseCommand):
    help = "Add N synthetic users with M tasks each, generated in PostgreSQL, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, required=True)
        parser.add_argument("--tasks-per-user", type=int, required=True)
        parser.add_argument(
            "--heavy-users",
            type=int,
            default=0,
            help="how many of the users get --heavy-tasks tasks instead (default 0)",
        )
        parser.add_argument(
            "--heavy-tasks", type=int, default=10_000, help="tasks of each heavy user"
        )
        parser.add_argument(
            "--password", default="load-test-password", help="password of every generated user"
        )
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable)")

    def handle(self, *args, users, tasks_per_user, heavy_users, heavy_tasks, password, seed, **o):
        if users < 1 or tasks_per_user < 0:
            raise CommandError("--users must be at least 1 and --tasks-per-user at least 0")
        if not 0 <= heavy_users <= users or heavy_tasks < 0:
            raise CommandError(
                "--heavy-users must be between 0 and --users, --heavy-tasks at least 0"
            )
        total = (users - heavy_users) * tasks_per_user + heavy_users * heavy_tasks
        if total > MAX_TASKS:
            raise CommandError(f"refusing more than {MAX_TASKS:,} tasks in one run")
        using = require_admin_alias("generate_data")
        self.verbosity = o["verbosity"]
        run = secrets.token_hex(3)
        params = {
            "run": run,
            "user_prefix": secrets.randbits(63),
            "task_prefix": secrets.randbits(63),
            "password": make_password(password),
            "users": users,
            "per_user": tasks_per_user,
            "heavy_users": heavy_users,
            "heavy_tasks": heavy_tasks,
            "titles": TITLES,
            "n_titles": len(TITLES),
        }
        # Each batch walks every user, so a batch in which ordinary users get no
        # task (more batches than --tasks-per-user) would cost a walk for nothing.
        batches = max(1, min(-(-total // TASKS_PER_BATCH), tasks_per_user or total))
        self.started = time.monotonic()
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            # Sorting a batch in memory, for this transaction only. The index builds
            # were a quarter faster with 256MB than with 1GB (10M rows, 2 cores): the
            # larger in-memory sort runs fit the processor's caches worse.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            if seed is not None:
                cursor.execute("SELECT setseed(%s)", [(seed % 2_000_001) / 1_000_000 - 1])
            # A fresh database (no task yet, the benchmark's): the tables' indexes
            # are dropped and built afterwards, which sorts once instead of
            # inserting millions of times into each B-tree (pg_restore's order).
            cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM tasks)")
            fresh = cursor.fetchone()[0] and total > 0
            users_keys = self._drop_keys_and_indexes(cursor, "users") if fresh else []
            for first in range(0, users, USERS_PER_STATEMENT):
                last = min(first + USERS_PER_STATEMENT, users) - 1
                cursor.execute(INSERT_USERS, {**params, "first": first, "last": last})
                self._progress(f"users {last + 1:,}/{users:,}", 0, 0.0)
            self._rebuild(cursor, users_keys, "users' keys and indexes")
            users_seconds = time.monotonic() - self.started
            if fresh:
                # Emptied in this transaction: on a server with wal_level=minimal,
                # rows and indexes written to it are then not written to the WAL too.
                cursor.execute("TRUNCATE tasks")
            tasks_keys = self._drop_keys_and_indexes(cursor, "tasks") if fresh else []
            done = 0
            rows_started = time.monotonic()
            for batch in range(batches):
                cursor.execute(INSERT_TASKS, {**params, **self._batch(params, batch, batches)})
                done += cursor.rowcount
                self._progress(f"tasks {done:,}/{total:,}", done, done / max(total, 1))
            rows_seconds = time.monotonic() - rows_started
            self._rebuild(cursor, tasks_keys, f"tasks {done:,}, keys and indexes", done)
            if fresh:
                # The TRUNCATE above had the task counts counted at COMMIT, once
                # (app.task_counts_rebuild, a deferred trigger: migration 0016).
                # Counted now instead, with their key built after the rows: a
                # million inserts into the key in random order took longer than
                # the count itself (17-23 s against 4-16 s for the whole count
                # without them, 1M users, 10M tasks, under load).
                counts_keys = self._drop_keys_and_indexes(cursor, "task_counts")
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self._rebuild(cursor, counts_keys, "task counts", done)
            indexes_seconds = time.monotonic() - rows_started - rows_seconds
            committing = time.monotonic()
        commit_seconds = time.monotonic() - committing
        elapsed = time.monotonic() - self.started
        if self.verbosity >= 1:
            self.stderr.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"added {users:,} users (load-{run}-*@example.test) and {total:,} tasks "
                f"in {elapsed:.1f}s ({total / max(elapsed, 1e-6):,.0f} tasks/s; "
                f"users {users_seconds:.1f}s, tasks {rows_seconds:.1f}s, "
                f"keys and indexes {indexes_seconds:.1f}s, commit {commit_seconds:.1f}s)"
            )
        )

    @staticmethod
    def _batch(params: dict, batch: int, batches: int) -> dict:
        """INSERT_TASKS's numbers for batch `batch`: each user's tasks from
        first to first + count - 1, for the light users and the heavy ones."""
        heavy_users, light_users = params["heavy_users"], params["users"] - params["heavy_users"]
        numbers = {"heavy_round": max(heavy_users, 1), "light_round": max(light_users, 1)}
        rows = 0
        for kind, users, tasks in (
            ("heavy", heavy_users, params["heavy_tasks"]),
            ("light", light_users, params["per_user"]),
        ):
            numbers[f"{kind}_first"] = tasks * batch // batches
            rows += users * (tasks * (batch + 1) // batches - numbers[f"{kind}_first"])
            if kind == "heavy":
                numbers["heavy_rows"] = rows
        return {**numbers, "rows": rows}

    def _drop_keys_and_indexes(self, cursor, table: str) -> list[str]:
        """Drop `table`'s keys and indexes; return the statements that rebuild them.

        Everything runs in the command's one transaction, whose exclusive lock on
        the table (taken by the first DROP) hides it from everyone until COMMIT.
        """
        cursor.execute(CONSTRAINTS, [table])
        constraints = cursor.fetchall()
        cursor.execute(INDEXES, [table])
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        # Primary and unique keys first, then the indexes, then the foreign keys
        # (checked once, by a join, when added).
        keys = [d for _, d in constraints if not d.startswith("FOREIGN KEY")]
        foreign = [d for _, d in constraints if d.startswith("FOREIGN KEY")]
        names = dict((d, n) for n, d in constraints)
        return (
            [f'ALTER TABLE {table} ADD CONSTRAINT "{names[d]}" {d}' for d in keys]
            + [definition for _, definition in indexes]
            + [f'ALTER TABLE {table} ADD CONSTRAINT "{names[d]}" {d}' for d in foreign]
        )

    def _rebuild(self, cursor, statements: list[str], what: str, done: int = 0) -> None:
        for number, statement in enumerate(statements, start=1):
            cursor.execute(statement)
            self._progress(f"{what} {number}/{len(statements)}", done, 1.0 if done else 0.0)

    def _progress(self, what: str, tasks: int, fraction: float) -> None:
        """One line on stderr, redrawn in place."""
        if self.verbosity < 1:
            return
        width = 30
        filled = int(width * fraction)
        rate = tasks / max(time.monotonic() - self.started, 1e-6)
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {what} ({rate:,.0f} tasks/s)\033[K",
            ending="",
        )
        self.stderr.flush()
