# Row-level security on the two-factor tables of django-otp (accounts/two_factor.py):
# a TOTP secret or a recovery code is as private as a password hash, so the
# application role sees and writes only the current user's, like every user row.
#
# - otp_totp_totpdevice, otp_static_staticdevice: ENABLE + FORCE; one policy for
#   every command, user_id = the current user (`app.current_user_id()`, the
#   verified claim of the transaction's signed identity, core/rls.py).
# - otp_static_statictoken has no user_id: a recovery code belongs to the user
#   whose static device it hangs on, so its policy asks for device_id among the
#   current user's static devices (checked on user_id in the sub-select itself,
#   not only through that table's own policy).
# No context: nothing is visible, nothing can be inserted. The second sign-in
# step reads the device under the pending user's identity (accounts/views.py);
# the operator command reset_two_factor runs on the administrative role, which
# has BYPASSRLS.

from django.db import migrations

CURRENT_USER = "(SELECT app.current_user_id())"
OWN_STATIC_DEVICE = (
    f"device_id IN (SELECT id FROM otp_static_staticdevice WHERE user_id = {CURRENT_USER})"  # noqa: S608 (constants)
)


def _protect(table: str, owned: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_owner_only ON {table} FOR ALL USING ({owned}) WITH CHECK ({owned})",
    ]


def _unprotect(table: str) -> list[str]:
    return [
        f"DROP POLICY {table}_owner_only ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_throttle_per_email_and_client"),
        ("core", "0001_database_identity"),  # app.current_user_id(), the verified claim
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                *_protect("otp_totp_totpdevice", f"user_id = {CURRENT_USER}"),
                *_protect("otp_static_staticdevice", f"user_id = {CURRENT_USER}"),
                *_protect("otp_static_statictoken", OWN_STATIC_DEVICE),
            ],
            reverse_sql=[
                *_unprotect("otp_static_statictoken"),
                *_unprotect("otp_static_staticdevice"),
                *_unprotect("otp_totp_totpdevice"),
            ],
        ),
    ]
