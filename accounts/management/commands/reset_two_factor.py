"""Remove a user's second factor (authenticator app and recovery codes).

For a user who lost both the phone and the recovery codes, after the operator
has checked who is asking. The user then signs in with the password alone and
may turn two-factor sign-in on again; staff must, before the admin opens. Runs
on the administrative alias (the operator's credential), and logs a security
event.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from accounts.models import User, normalize_email
from core.security_log import log_event
from ops.admin_alias import require_admin_alias


class Command(BaseCommand):
    help = "Remove the two-factor sign-in (app and recovery codes) of the user with this e-mail."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed, change nothing."
        )

    def handle(self, *args, email, dry_run, **options):
        using = require_admin_alias("resetting a second factor")
        user = User.objects.using(using).filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email!r}.")
        if dry_run:
            enabled = two_factor.is_enabled_on(user, using=using)
            state = "has" if enabled else "does not have"
            self.stdout.write(
                f"{user.email} {state} two-factor sign-in; nothing changed (dry run)."
            )
            return
        if not two_factor.disable(user, using=using):
            self.stdout.write(f"{user.email} has no second factor; nothing to remove.")
            return
        log_event(None, "two_factor.reset_by_operator", user=user)
        self.stdout.write(
            self.style.SUCCESS(f"Removed the authenticator app and recovery codes of {user.email}.")
        )
