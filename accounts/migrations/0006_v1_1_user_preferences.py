# Schema v1.1 (docs/schema.md): the user's time zone, language and remembered list
# sort, as defaulted columns (no table rewrite). Values are checked in the database:
# the language here, the sort by tasks migration 0014 (the sort names are tasks').

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_two_factor_row_level_security"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=8, verbose_name="language"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="task_sort",
            field=models.CharField(db_default="newest", default="newest", max_length=16),
        ),
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(
                db_default="UTC", default="UTC", max_length=64, verbose_name="time zone"
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", ["", "en", "fr"])), name="chk_users_language"
            ),
        ),
    ]
