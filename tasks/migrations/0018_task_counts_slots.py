# `task_counts` in slots: a user's counts are the sum of up to 8 rows, and each
# transaction that writes tasks adds its changes to one of them, chosen by its
# transaction id (docs/schema.md "Counts").
#
# - Why: with one row per user, every write of a user's tasks locked that row
#   until COMMIT, WAL flush included, so two requests of one user writing at
#   once ran one after the other. With 8 slots two concurrent transactions
#   meet on a row once in 8 times; nothing else changes: a transaction keeps
#   one slot for all its statements, rows are locked in user_id order, the
#   sums are exact (tests/test_task_counts.py).
# - The readers sum a user's rows (`TaskCounts.objects.tabs`) and take all of
#   their versions (`version_of`); the rebuild writes slot 0; deleting a user
#   deletes all of their rows (app.task_counts_forget, unchanged).
# - The existing rows become slot 0; the key changes from (user_id) to
#   (user_id, slot) in place (a second at 1,000,000 users).

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db

previous = importlib.import_module("tasks.migrations.0017_task_counts_version")

APPLY = """
CREATE OR REPLACE FUNCTION app.task_counts_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    -- The transaction's slot: the same for all its statements (the top-level
    -- transaction's id, even in a savepoint), one of 8 for concurrent ones.
    this_slot smallint := pg_current_xact_id()::text::bigint % 8;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE public.task_counts;
        -- Whatever this transaction loads next is counted once, at COMMIT.
        INSERT INTO app.task_counts_truncated VALUES (true) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT FROM app.task_counts_truncated) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.task_counts AS c (user_id, slot, total, completed)
        SELECT user_id, this_slot, count(*), count(*) FILTER (WHERE completed)
        FROM new_tasks GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id, slot) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed,
            version = gen_random_uuid();
    ELSIF TG_OP = 'UPDATE' THEN
        -- Each row once as it was (subtracted) and once as it is (added): an
        -- edit adds nothing but a new version, a toggle moves `completed`, a
        -- task that changed owner moves from one user to the other.
        INSERT INTO public.task_counts AS c (user_id, slot, total, completed)
        SELECT user_id, this_slot, sum(n), sum(done) FROM (
            SELECT user_id, 1 AS n, completed::int AS done FROM new_tasks
            UNION ALL SELECT user_id, -1, -completed::int FROM old_tasks
        ) AS changes
        GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id, slot) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed,
            version = gen_random_uuid();
    ELSE
        -- Only users that have a row: a deleted user's row may be gone already
        -- (app.task_counts_forget), and must not come back.
        INSERT INTO public.task_counts AS c (user_id, slot, total, completed)
        SELECT user_id, this_slot, -count(*), -count(*) FILTER (WHERE completed)
        FROM old_tasks AS o
        WHERE EXISTS (SELECT FROM public.task_counts AS k WHERE k.user_id = o.user_id)
        GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id, slot) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed,
            version = gen_random_uuid();
    END IF;
    RETURN NULL;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("tasks", "0017_task_counts_version")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE task_counts ADD COLUMN slot smallint NOT NULL DEFAULT 0",
                        "ALTER TABLE task_counts ADD CONSTRAINT chk_task_counts_slot "
                        "CHECK (slot >= 0 AND slot < 8)",
                        "ALTER TABLE task_counts DROP CONSTRAINT task_counts_pkey",
                        "ALTER TABLE task_counts ADD PRIMARY KEY (user_id, slot)",
                        APPLY,
                    ],
                    reverse_sql=[
                        previous.APPLY,
                        "SELECT app.task_counts_rebuild()",  # one row per user again
                        "ALTER TABLE task_counts DROP CONSTRAINT task_counts_pkey",
                        "ALTER TABLE task_counts ADD PRIMARY KEY (user_id)",
                        "ALTER TABLE task_counts DROP COLUMN slot",
                    ],
                ),
            ],
            # Django cannot turn a primary key into a composite one: the model
            # is described anew (the table itself is altered above).
            state_operations=[
                migrations.DeleteModel(name="TaskCounts"),
                migrations.CreateModel(
                    name="TaskCounts",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "user_id",
                                "slot",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("slot", models.SmallIntegerField(db_default=0, default=0)),
                        ("total", models.IntegerField(db_default=0, default=0)),
                        ("completed", models.IntegerField(db_default=0, default=0)),
                        (
                            "version",
                            models.UUIDField(db_default=core.db.GenRandomUUID(), editable=False),
                        ),
                    ],
                    options={
                        "db_table": "task_counts",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("slot__gte", 0), ("slot__lt", 8)),
                                name="chk_task_counts_slot",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
