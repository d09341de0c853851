# What Django cannot declare for `users`: a trigger that sets updated_at = now()
# on every UPDATE, so QuerySet.update() and plain SQL move it too. The trigger
# function lives in the `app` schema and is shared with `tasks`.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_create_users")]

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE SCHEMA app",
                "GRANT USAGE ON SCHEMA app TO PUBLIC",
                """
                CREATE FUNCTION app.set_updated_at() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.updated_at := now();
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users
                FOR EACH ROW EXECUTE FUNCTION app.set_updated_at()
                """,
            ],
            reverse_sql=[
                "DROP TRIGGER trg_users_updated_at ON users",
                "DROP FUNCTION app.set_updated_at()",
                "DROP SCHEMA app",
            ],
        ),
    ]
