"""The Django admin works on every user's rows through the administrative alias.

The web requests' own connection is the application role, which row-level
security confines to the signed-in staff member's rows. Staff need everyone's,
so each ModelAdmin says explicitly which database it reads and writes (the
multi-database ModelAdmin pattern of Django's docs) instead of a router that
could send other code there by accident.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.db import connections
from django.shortcuts import render


def admin_database_configured() -> bool:
    return settings.ADMIN_DB_ALIAS in connections.settings


class AdminDatabaseMixin:
    using = settings.ADMIN_DB_ALIAS

    def get_queryset(self, request):
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

    def changelist_view(self, request, extra_context=None):
        if not admin_database_configured():
            return _admin_database_missing(request, self)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, *args, **kwargs):
        if not admin_database_configured():
            return _admin_database_missing(request, self)
        return super().changeform_view(request, *args, **kwargs)


def _admin_database_missing(request, model_admin):
    messages.error(
        request,
        "ADMIN_DATABASE_URL is not set, so the admin cannot reach every user's rows. "
        "Set it to the administrative role's URL to manage users and tasks here.",
    )
    context = {**admin.site.each_context(request), "title": "Administrative database not configured"}
    return render(request, "admin/database_missing.html", context, status=503)
