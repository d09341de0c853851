from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User
from ops.admin_alias import AdminDatabaseMixin


@admin.register(User)
class UserAdmin(AdminDatabaseMixin, DjangoUserAdmin):
    ordering = ["-created_at"]
    list_display = ["email", "name", "email_verified", "is_staff", "created_at"]
    list_filter = ["email_verified", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = ["id", "created_at", "updated_at", "last_login"]
    show_full_result_count = False  # no second count(*) over every user
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Profile", {"fields": ["name", "image", "email_verified"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups", "user_permissions"]
