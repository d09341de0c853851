# `task_counts`: each user's number of tasks and of completed tasks, kept by the
# database so the list shows its tab counts without counting 10,000 rows of a
# heavy user on every page view (docs/schema.md, "Task counts").
#
# - Statement-level triggers with transition tables on `tasks` (one per event:
#   PostgreSQL allows transition tables only on single-event triggers) call
#   app.task_counts_apply(), which adds what the statement changed, per user,
#   in one upsert: a statement writing 10,000 rows costs one aggregate, not
#   10,000 trigger calls. Every path that writes tasks is counted (services,
#   admin, import, archive_tasks, generate_data, restore, plain SQL, the cascade
#   from users), and a rolled-back statement takes its counts with it.
#   Concurrent writers for one user queue on that user's row (the upsert locks
#   it until COMMIT), so none is lost; rows are locked in user_id order, so two
#   statements over many users cannot deadlock on them.
# - TRUNCATE empties the counts and marks the transaction (a row in
#   app.task_counts_truncated, which only it can see): its later writes to
#   tasks are not counted one by one; a deferred trigger counts the whole table
#   once at COMMIT (app.task_counts_rebuild). A bulk load into an emptied table
#   (generate_data) so costs one aggregate instead of one upsert per user per
#   statement. TRUNCATE holds tasks exclusively until COMMIT: nobody else writes
#   meanwhile.
# - No foreign key to users: checking it costs one lookup per inserted counts
#   row (it made a bulk of 500,000 users' counts 5x slower), and the function
#   writes only user ids taken from rows of `tasks`, which has one. Deleting
#   users deletes their counts (trg_users_counts_delete), so none outlives its
#   account.
# - The functions are SECURITY DEFINER (their owner, the administrative role,
#   has BYPASSRLS), with a fixed search_path and schema-qualified names, so the
#   application role needs no write privilege on `task_counts`: it reads its
#   own row only (ENABLE + FORCE ROW LEVEL SECURITY, one SELECT policy) and
#   cannot make its counts lie, even to itself. The trigger writes only what the
#   transition tables hold: the rows the statement was allowed to write.
# - Backfill: the triggers are created first, which locks `tasks` against writes
#   (SHARE ROW EXCLUSIVE) until this migration commits, so app.task_counts_rebuild()
#   counts exactly the rows no trigger saw. Reads go on meanwhile. The same
#   function repairs the counts if the triggers were ever disabled.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CURRENT_USER = "(SELECT app.current_user_id())"

APPLY = """
CREATE FUNCTION app.task_counts_apply() RETURNS trigger
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
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Each row once as it was (subtracted) and once as it is (added): an
        -- edit adds nothing, a toggle moves `completed`, a task that changed
        -- owner moves from one user to the other.
        INSERT INTO public.task_counts AS c (user_id, total, completed)
        SELECT user_id, sum(n), sum(done) FROM (
            SELECT user_id, 1 AS n, completed::int AS done FROM new_tasks
            UNION ALL SELECT user_id, -1, -completed::int FROM old_tasks
        ) AS changes
        GROUP BY user_id HAVING sum(n) <> 0 OR sum(done) <> 0 ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed;
    ELSE
        -- Only users that have a row: a deleted user's row may be gone already
        -- (app.task_counts_forget), and must not come back.
        INSERT INTO public.task_counts AS c (user_id, total, completed)
        SELECT user_id, -count(*), -count(*) FILTER (WHERE completed)
        FROM old_tasks AS o
        WHERE EXISTS (SELECT FROM public.task_counts AS k WHERE k.user_id = o.user_id)
        GROUP BY user_id ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE
        SET total = c.total + excluded.total, completed = c.completed + excluded.completed;
    END IF;
    RETURN NULL;
END
$$
"""

REBUILD = """
CREATE FUNCTION app.task_counts_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM app.task_counts_truncated;
    TRUNCATE public.task_counts;
    INSERT INTO public.task_counts (user_id, total, completed)
    SELECT user_id, count(*), count(*) FILTER (WHERE completed)
    FROM public.tasks GROUP BY user_id;
END
$$
"""

REBUILD_AT_COMMIT = """
CREATE FUNCTION app.task_counts_rebuild_at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM app.task_counts_rebuild();
    RETURN NULL;
END
$$
"""

FORGET = """
CREATE FUNCTION app.task_counts_forget() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM public.task_counts WHERE user_id IN (SELECT id FROM old_users);
    RETURN NULL;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_v1_1_user_preferences"),
        ("tasks", "0015_one_list_index_per_sort"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskCounts",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("total", models.IntegerField(db_default=0, default=0)),
                ("completed", models.IntegerField(db_default=0, default=0)),
            ],
            options={
                "db_table": "task_counts",
            },
        ),
        migrations.RunSQL(
            sql=[
                "ALTER TABLE task_counts ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE task_counts FORCE ROW LEVEL SECURITY",
                f"""
                CREATE POLICY task_counts_owner_read ON task_counts FOR SELECT
                USING (user_id = {CURRENT_USER})
                """,
                "CREATE TABLE app.task_counts_truncated (truncated boolean PRIMARY KEY)",
                APPLY,
                REBUILD,
                REBUILD_AT_COMMIT,
                FORGET,
                """
                CREATE CONSTRAINT TRIGGER trg_task_counts_rebuild
                AFTER INSERT ON app.task_counts_truncated DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION app.task_counts_rebuild_at_commit()
                """,
                """
                CREATE TRIGGER trg_tasks_counts_insert AFTER INSERT ON tasks
                REFERENCING NEW TABLE AS new_tasks
                FOR EACH STATEMENT EXECUTE FUNCTION app.task_counts_apply()
                """,
                """
                CREATE TRIGGER trg_tasks_counts_update AFTER UPDATE ON tasks
                REFERENCING OLD TABLE AS old_tasks NEW TABLE AS new_tasks
                FOR EACH STATEMENT EXECUTE FUNCTION app.task_counts_apply()
                """,
                """
                CREATE TRIGGER trg_tasks_counts_delete AFTER DELETE ON tasks
                REFERENCING OLD TABLE AS old_tasks
                FOR EACH STATEMENT EXECUTE FUNCTION app.task_counts_apply()
                """,
                """
                CREATE TRIGGER trg_tasks_counts_truncate AFTER TRUNCATE ON tasks
                FOR EACH STATEMENT EXECUTE FUNCTION app.task_counts_apply()
                """,
                """
                CREATE TRIGGER trg_users_counts_delete AFTER DELETE ON users
                REFERENCING OLD TABLE AS old_users
                FOR EACH STATEMENT EXECUTE FUNCTION app.task_counts_forget()
                """,
                "SELECT app.task_counts_rebuild()",
            ],
            reverse_sql=[
                "TRUNCATE task_counts",
                "DROP TRIGGER trg_users_counts_delete ON users",
                "DROP TRIGGER trg_tasks_counts_truncate ON tasks",
                "DROP TRIGGER trg_tasks_counts_delete ON tasks",
                "DROP TRIGGER trg_tasks_counts_update ON tasks",
                "DROP TRIGGER trg_tasks_counts_insert ON tasks",
                "DROP TRIGGER trg_task_counts_rebuild ON app.task_counts_truncated",
                "DROP FUNCTION app.task_counts_forget()",
                "DROP FUNCTION app.task_counts_rebuild_at_commit()",
                "DROP FUNCTION app.task_counts_rebuild()",
                "DROP FUNCTION app.task_counts_apply()",
                "DROP TABLE app.task_counts_truncated",
                "DROP POLICY task_counts_owner_read ON task_counts",
                "ALTER TABLE task_counts NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE task_counts DISABLE ROW LEVEL SECURITY",
            ],
        ),
    ]
