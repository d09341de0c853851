# `task_counts.version`: a new random value at every statement that writes a
# user's tasks, so the list's rendered pages can be kept under it and are never
# served after a change (tasks/page_cache.py, docs/schema.md "Task counts").
#
# - The same trigger function as in 0016, which now also draws a new version for
#   every user a statement touched: an edit that changes no count (a title, a
#   due date) included, which 0016 skipped. One upsert per statement, as before.
# - Random (gen_random_uuid), not a counter: a counter restored from a backup
#   would hand out values already seen, and a page kept under one of them would
#   come back. A TRUNCATE's rebuild gives every row a new one (the default).
# - Adding the column with a volatile default rewrites task_counts (one row per
#   user with tasks: 84 bytes each, a second at 1,000,000 users).

import importlib

from django.db import migrations, models

import core.db

previous = importlib.import_module("tasks.migrations.0016_task_counts")

APPLY = """
CREATE OR REPLACE FUNCTION app.task_counts_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
        INSERT INTO public.task_counts AS c (user_id, total, completed)
        SELECT user_id, count(*), count(*) FILTER (WHERE completed)
        FROM new_tasks GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed,
            version = gen_random_uuid();
    ELSIF TG_OP = 'UPDATE' THEN
        -- Each row once as it was (subtracted) and once as it is (added): an
        -- edit adds nothing but a new version, a toggle moves `completed`, a
        -- task that changed owner moves from one user to the other.
        INSERT INTO public.task_counts AS c (user_id, total, completed)
        SELECT user_id, sum(n), sum(done) FROM (
            SELECT user_id, 1 AS n, completed::int AS done FROM new_tasks
            UNION ALL SELECT user_id, -1, -completed::int FROM old_tasks
        ) AS changes
        GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed,
            version = gen_random_uuid();
    ELSE
        -- Only users that have a row: a deleted user's row may be gone already
        -- (app.task_counts_forget), and must not come back.
        INSERT INTO public.task_counts AS c (user_id, total, completed)
        SELECT user_id, -count(*), -count(*) FILTER (WHERE completed)
        FROM old_tasks AS o
        WHERE EXISTS (SELECT FROM public.task_counts AS k WHERE k.user_id = o.user_id)
        GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed,
            version = gen_random_uuid();
    END IF;
    RETURN NULL;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("tasks", "0016_task_counts")]

    operations = [
        migrations.AddField(
            model_name="taskcounts",
            name="version",
            field=models.UUIDField(db_default=core.db.GenRandomUUID(), editable=False),
        ),
        migrations.RunSQL(
            sql=[APPLY],
            reverse_sql=[previous.APPLY.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")],
        ),
    ]
