from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from ops.admin_alias import AdminDatabaseMixin
from tasks.models import Task


@admin.register(User)
class UserAdmin(AdminDatabaseMixin, DjangoUserAdmin):
    ordering = ["-created_at"]
    list_display = ["email", "name", "email_verified", "is_staff", "task_count", "created_at"]
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

    def get_queryset(self, request):
        # A correlated sub-query: counted only for the users on the page shown,
        # through idx_tasks_user_id, never one query per row.
        per_user = (
            Task.objects.filter(user=OuterRef("pk"))
            .order_by()
            .values("user")
            .annotate(n=Count("*"))
            .values("n")
        )
        return super().get_queryset(request).annotate(task_count=Coalesce(Subquery(per_user), 0))

    @admin.display(description="tasks")
    def task_count(self, user):
        return user.task_count
