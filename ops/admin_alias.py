"""The administrative alias (ADMIN_DATABASE_URL): whether it is configured, and who uses it.

`admin_alias_configured()` is the one place that decides it; operator commands
call `require_admin_alias()` (or `admin_alias_or_default()` where the
application role will do), Django's createsuperuser and changepassword get
`AdminAliasCommand` (ops/management/commands/), and the Django admin uses
`AdminDatabaseMixin`.

The Django admin works on every user's rows through the administrative alias.

The web requests' own connection is the application role, which row-level
security confines to the signed-in staff member's rows. Staff need everyone's,
so each ModelAdmin says explicitly which database it reads and writes (the
multi-database ModelAdmin pattern of Django's docs) instead of a router that
could send other code there by accident. Without ADMIN_DATABASE_URL (a public
web deployment may leave it unset) every page of these ModelAdmins answers 503
with a page saying so.
"""

from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.template.response import TemplateResponse

MISSING = (
    "ADMIN_DATABASE_URL is not set, so the admin cannot reach every user's rows. "
    "Set it to the administrative role's PostgreSQL URL to manage users and tasks here."
)


def admin_alias_configured() -> bool:
    """Whether ADMIN_DATABASE_URL is set (a public web deployment may leave it unset)."""
    return settings.ADMIN_DB_ALIAS in connections.settings


def require_admin_alias(purpose: str) -> str:
    """The administrative alias (every user's rows), or a one-line CommandError."""
    if not admin_alias_configured():
        raise CommandError(
            f"ADMIN_DATABASE_URL is not set: {purpose} needs the administrative role"
        )
    return settings.ADMIN_DB_ALIAS


class AdminAliasCommand:
    """For Django's own commands that write users (createsuperuser, changepassword).

    Mixed in before the command class: `--database` defaults to the
    administrative alias, and running without that alias, or on another one,
    ends in one line saying what to do instead of a traceback from deep inside.
    """

    purpose = ""  # the command's name, for the messages

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=settings.ADMIN_DB_ALIAS)

    def execute(self, *args, **options):
        require_admin_alias(self.purpose)
        if options.get("database") != settings.ADMIN_DB_ALIAS:
            raise CommandError(
                f"{self.purpose} needs the administrative role: leave out --database "
                f"(it defaults to {settings.ADMIN_DB_ALIAS!r})"
            )
        return super().execute(*args, **options)


def admin_alias_or_default() -> str:
    """The administrative alias when configured, else the application role's ("default")."""
    return settings.ADMIN_DB_ALIAS if admin_alias_configured() else "default"


class AdminDatabaseMixin:
    using = settings.ADMIN_DB_ALIAS

    def get_queryset(self, request):
        if not admin_alias_configured():  # e.g. the site's autocomplete view
            raise ImproperlyConfigured(MISSING)
        return super().get_queryset(request).using(self.using)

    def save_model(self, request, obj, form, change):
        obj.save(using=self.using)

    def delete_model(self, request, obj):
        obj.delete(using=self.using)

    def delete_queryset(self, request, queryset):
        queryset.using(self.using).delete()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, using=self.using, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, using=self.using, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        # Django's own atomic() is on the default alias; the writes go to ours.
        with transaction.atomic(using=self.using):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with transaction.atomic(using=self.using):
            return super().delete_view(request, *args, **kwargs)

    def get_urls(self):
        """Every page of this ModelAdmin (list, add, change, delete, history, and
        UserAdmin's password page) answers 503 with an explanation when the
        administrative alias is not configured."""
        urls = super().get_urls()
        for pattern in urls:
            pattern.callback = self._needs_admin_database(pattern.callback)
        return urls

    def _needs_admin_database(self, view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Only staff learn about the configuration; others go to the login page.
            if not admin_alias_configured() and self.admin_site.has_permission(request):
                return admin_database_missing(request, self.admin_site)
            return view(request, *args, **kwargs)

        return wrapper


def admin_database_missing(request, admin_site):
    context = {
        **admin_site.each_context(request),
        "title": "Administrative database not configured",
        "message": MISSING,
    }
    return TemplateResponse(request, "admin/database_missing.html", context, status=503)
