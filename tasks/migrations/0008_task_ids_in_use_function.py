# `app.task_ids_in_use(uuid[])`: which of the given ids any task-shaped table
# (tasks, tasks_archive, tasks_trash) already holds, whoever owns the row.
#
# The import keeps a task's id when it is free and gives it a new one
# otherwise. "Free" has to mean free in all three tables and for every user:
# tasks move between the tables keeping their id, so an id taken elsewhere
# would make a later move fail. Row-level security hides other users' rows, so
# the function is SECURITY DEFINER (run as its owner, the administrative role,
# which has BYPASSRLS) and answers only "in use" for ids the caller already
# names: no title, owner or other column leaves it. Fixed search_path and
# schema-qualified tables, as PostgreSQL advises for definer functions.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tasks", "0007_tasks_trash_foreign_key_and_rls")]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                CREATE FUNCTION app.task_ids_in_use(ids uuid[]) RETURNS SETOF uuid
                LANGUAGE sql STABLE SECURITY DEFINER
                SET search_path = pg_catalog, pg_temp
                AS $$
                    SELECT id FROM public.tasks WHERE id = ANY(ids)
                    UNION SELECT id FROM public.tasks_archive WHERE id = ANY(ids)
                    UNION SELECT id FROM public.tasks_trash WHERE id = ANY(ids)
                $$
                """,
            ],
            reverse_sql=["DROP FUNCTION app.task_ids_in_use(uuid[])"],
        ),
    ]
