from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.admin import UserAdmin
from accounts.models import User
from ops.admin_alias import AdminDatabaseMixin
from tasks.models import Task


@admin.register(Task)
class TaskAdmin(AdminDatabaseMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "user",
        "completed",
        "due_date",
        "priority",
        "created_at",
        "updated_at",
    ]
    list_filter = ["completed", "priority", "due_date", "created_at", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["title"]
    autocomplete_fields = ["user"]  # never a dropdown of every user
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        *("id", "user", "title", "description", "completed", "due_date", "priority"),
        *("created_at", "updated_at"),
    ]
    ordering = ["-created_at"]
    show_full_result_count = False
    list_per_page = 50


# The user list shows each user's number of tasks. Tasks build on accounts, never
# the reverse, so this app extends the accounts app's UserAdmin.
admin.site.unregister(User)


@admin.register(User)
class UserWithTaskCountAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display[:-1], "task_count", UserAdmin.list_display[-1]]

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
