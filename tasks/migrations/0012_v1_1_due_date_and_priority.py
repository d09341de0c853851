# Schema v1.1 (docs/schema.md): due dates and priorities, additive only.
# Both columns are cheap to add on a large table: a nullable column and a
# constant default need no table rewrite (PostgreSQL 11+). Every existing row
# has priority 0, so the CHECK holds. The indexes follow in 0013, built
# CONCURRENTLY so writes are not blocked while they build.


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0011_submit_tokens_foreign_key_and_rls"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="archivedtask",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="due date"),
        ),
        migrations.AddField(
            model_name="archivedtask",
            name="priority",
            field=models.SmallIntegerField(
                choices=[(0, "None"), (1, "Low"), (2, "Medium"), (3, "High")],
                db_default=0,
                default=0,
                verbose_name="priority",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="due date"),
        ),
        migrations.AddField(
            model_name="task",
            name="priority",
            field=models.SmallIntegerField(
                choices=[(0, "None"), (1, "Low"), (2, "Medium"), (3, "High")],
                db_default=0,
                default=0,
                verbose_name="priority",
            ),
        ),
        migrations.AddField(
            model_name="trashedtask",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="due date"),
        ),
        migrations.AddField(
            model_name="trashedtask",
            name="priority",
            field=models.SmallIntegerField(
                choices=[(0, "None"), (1, "Low"), (2, "Medium"), (3, "High")],
                db_default=0,
                default=0,
                verbose_name="priority",
            ),
        ),
        migrations.AddConstraint(
            model_name="archivedtask",
            constraint=models.CheckConstraint(
                condition=models.Q(("priority__gte", 0), ("priority__lte", 3)),
                name="chk_tasks_archive_priority_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.CheckConstraint(
                condition=models.Q(("priority__gte", 0), ("priority__lte", 3)),
                name="chk_tasks_priority_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="trashedtask",
            constraint=models.CheckConstraint(
                condition=models.Q(("priority__gte", 0), ("priority__lte", 3)),
                name="chk_tasks_trash_priority_range",
            ),
        ),
    ]
