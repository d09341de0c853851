# Sessions are now stored under a keyed hash of their key (core/sessions.py):
# rows written by Django's plain database store, keyed by the cookie value
# itself, can never be found again and are removed.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_harden_functions_and_privileges"), ("sessions", "0001_initial")]

    operations = [migrations.RunSQL(sql=["DELETE FROM django_session"], reverse_sql=[])]
