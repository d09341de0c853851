"""Remove exactly the demo user created by seed_demo and, by cascade, its tasks.

Only the account with the demo address is touched; running it again when the
demo data is gone changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.rls import email_context, user_context
from tasks.demo import DEMO_EMAIL


class Command(BaseCommand):
    help = "Delete the demo user and its tasks."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would go")

    def handle(self, *args, dry_run, **options):
        with email_context(DEMO_EMAIL):
            user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            self.stdout.write("no demo data to remove")
            return
        # A user may delete only their own row under RLS; the database cascade
        # then removes the tasks.
        with user_context(user.pk):
            tasks = user.tasks.count()
            if not dry_run:
                _, deleted = user.delete()
                # Under RLS a delete on the wrong context silently removes nothing.
                if deleted.get(User._meta.label) != 1:
                    raise CommandError(f"the demo user {DEMO_EMAIL} could not be deleted")
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(self.style.SUCCESS(f"{verb} demo user {DEMO_EMAIL} and {tasks} task(s)"))
