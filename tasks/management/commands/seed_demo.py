"""Load the spec's demo user (test@example.com, "Test User") and its five tasks.

Safe to re-run: the user and each task are created only when missing, so a
second run changes nothing. Writes as the application role under the demo
user's own RLS context, exactly as the site does.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from core.rls import email_context, user_context
from tasks.demo import DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD, DEMO_TASKS
from tasks.models import Task


class Command(BaseCommand):
    help = "Create the demo user and its five tasks (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            with email_context(DEMO_EMAIL):
                user = User.objects.filter(email=DEMO_EMAIL).first()
            created_user = user is None
            if created_user:
                user = User.objects.create_user(
                    DEMO_EMAIL, DEMO_PASSWORD, name=DEMO_NAME, email_verified=True
                )
            with user_context(user.pk):
                existing = set(Task.objects.for_owner(user).values_list("title", flat=True))
                missing = [
                    Task(user=user, title=title, description=description, completed=completed)
                    for title, description, completed in DEMO_TASKS
                    if title not in existing
                ]
                Task.objects.bulk_create(missing)
        if created_user:
            self.stdout.write(f"created demo user {DEMO_EMAIL} (password: {DEMO_PASSWORD})")
        else:
            self.stdout.write(f"demo user {DEMO_EMAIL} already exists")
        self.stdout.write(self.style.SUCCESS(f"added {len(missing)} demo task(s)"))
