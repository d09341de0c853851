"""Write the database identity keys of SECRET_KEY and SECRET_KEY_FALLBACKS, and the grants.

PostgreSQL verifies the token that names each request's user with keys only the
administrative role can read (app.identity_keys). This command makes that table
hold exactly the keys derived from the current SECRET_KEY and its fallbacks, and
re-applies the application role's allowlist (core/grants.py). `migrate
--database admin` does the same after every migration; this is the step for a
key rotation without a migration (docs/security.md, "Rotating the key"). Safe to
re-run: it changes nothing when the keys are already there.
"""

from django.core.management.base import BaseCommand
from django.db import connections, transaction

from core.grants import apply_app_role_privileges
from core.identity import write_keys
from ops.admin_alias import require_admin_alias


class Command(BaseCommand):
    help = "Store the identity keys of SECRET_KEY (and its fallbacks) and re-apply the grants."

    def handle(self, *args, **options):
        alias = require_admin_alias("set_identity_keys")
        connection = connections[alias]
        with transaction.atomic(using=alias):
            added, removed = write_keys(connection)
        granted = apply_app_role_privileges(connection)
        self.stdout.write(
            self.style.SUCCESS(
                f"identity keys: {added} added, {removed} removed"
                + ("; application role privileges applied" if granted else "")
            )
        )
