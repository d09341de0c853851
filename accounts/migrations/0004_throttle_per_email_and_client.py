# Throttle events are counted per e-mail and client address (accounts/throttle.py)
# instead of a free-text key. The old rows are at most a day of transient
# counts: they are dropped, not converted.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_create_throttle_events"),
    ]

    operations = [
        migrations.RunSQL(
            sql=["DELETE FROM throttle_events"],
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RemoveIndex(model_name="throttleevent", name="idx_throttle_key_created"),
        migrations.RemoveField(model_name="throttleevent", name="key"),
        migrations.AddField(
            model_name="throttleevent",
            name="kind",
            field=models.CharField(default="login", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="throttleevent",
            name="email",
            field=models.CharField(default="", max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="throttleevent",
            name="ip",
            field=models.GenericIPAddressField(default="0.0.0.0"),  # noqa: S104
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="throttleevent",
            index=models.Index(
                fields=["kind", "email", "created_at"], name="idx_throttle_email_created"
            ),
        ),
        migrations.AddIndex(
            model_name="throttleevent",
            index=models.Index(fields=["kind", "ip", "created_at"], name="idx_throttle_ip_created"),
        ),
    ]
