import uuid

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.db import DbNow, GenRandomUUID
from core.rls import email_context, user_context

DEFAULT_TIME_ZONE = "UTC"


def normalize_email(email: str) -> str:
    """The stored form of an e-mail address: trimmed and lower-cased."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        """The user with this address (sign-in, createsuperuser). Four queries.

        Sign-in is case-insensitive: addresses are stored lower-cased. Nobody is
        signed in yet, so the row is read under a claim for this address only.
        """
        email = normalize_email(username)
        with email_context(email, using=self._db or DEFAULT_DB_ALIAS):
            return self.get(email=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        # The new row may only be inserted by its own identity.
        with user_context(user.pk, using=self._db or DEFAULT_DB_ALIAS):
            user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address: the spec's `users` table.

    Django's auth columns (password, last_login, is_active, is_staff,
    is_superuser) are added to the spec's columns.
    """

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, db_default=GenRandomUUID(), editable=False
    )
    email = models.EmailField(_("email"), max_length=255)
    email_verified = models.BooleanField(default=False, db_default=False)
    name = models.CharField(max_length=255, null=True, blank=True)
    image = models.TextField(_("picture URL"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_default=DbNow())
    # The database trigger moves it on every UPDATE, whatever path makes it.
    updated_at = models.DateTimeField(auto_now=True, db_default=DbNow())
    # Schema v1.1 (docs/schema.md): where and how the user reads dates, and the
    # list's remembered sort. Read with the user on every request: no extra query.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, db_default=DEFAULT_TIME_ZONE
    )
    # Empty: follow the browser's Accept-Language.
    language = models.CharField(_("language"), max_length=8, blank=True, default="", db_default="")
    # The list's sort names belong to tasks (tasks/sorting.py), which accounts does
    # not import: its CHECK, chk_users_task_sort, comes from tasks migration 0014.
    task_sort = models.CharField(max_length=16, default="newest", db_default="newest")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        db_table = "users"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email"], name="uk_users_email"),
            # Uniqueness regardless of letter case, even for plain SQL writes.
            models.UniqueConstraint(Lower("email"), name="uk_users_email_lower"),
            models.CheckConstraint(
                condition=Q(language__in=["", *(code for code, _name in settings.LANGUAGES)]),
                name="chk_users_language",
            ),
        ]
        indexes = [
            # Spec index; sign-in looks users up by e-mail.
            models.Index(fields=["email"], name="idx_users_email"),
            # Spec index; the admin lists users newest first.
            models.Index(fields=["created_at"], name="idx_users_created_at"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def check_password(self, raw_password):
        """Django's, with the upgrade of an outdated hash written as this user.

        A correct password whose hash uses older parameters is re-hashed and
        saved; at sign-in nobody is signed in yet, and only the user's own
        identity may update the row. A wrong password writes nothing.
        """

        def setter(raw_password):
            self.set_password(raw_password)
            self._password = None
            with user_context(self.pk, using=self._state.db or DEFAULT_DB_ALIAS):
                self.save(update_fields=["password"])

        return check_password(raw_password, self.password, setter)

    async def acheck_password(self, raw_password):
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.check_password)(raw_password)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class ThrottleEvent(models.Model):
    """One counted event: a failed sign-in, or an e-mail sent, for an address and a client.

    See accounts/throttle.py. Holds no user row (the e-mail need not have an
    account), so no row-level security; kept one day at most.
    """

    kind = models.CharField(max_length=20)
    email = models.CharField(max_length=254)
    ip = models.GenericIPAddressField()
    created_at = models.DateTimeField(auto_now_add=True, db_default=DbNow())

    class Meta:
        db_table = "throttle_events"
        indexes = [
            # Counting an e-mail's (and a pair's) recent events.
            models.Index(fields=["kind", "email", "created_at"], name="idx_throttle_email_created"),
            # Counting a client address's recent events.
            models.Index(fields=["kind", "ip", "created_at"], name="idx_throttle_ip_created"),
            # Forgetting old events.
            models.Index(fields=["created_at"], name="idx_throttle_created_at"),
        ]

    def __str__(self):
        return f"{self.kind} {self.email} from {self.ip} at {self.created_at}"
