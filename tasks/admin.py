from django.contrib import admin

from ops.admin_alias import AdminDatabaseMixin
from tasks.models import Task


@admin.register(Task)
class TaskAdmin(AdminDatabaseMixin, admin.ModelAdmin):
    list_display = ["title", "user", "completed", "created_at", "updated_at"]
    list_filter = ["completed", "created_at", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["title"]
    autocomplete_fields = ["user"]  # never a dropdown of every user
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", "user", "title", "description", "completed", "created_at", "updated_at"]
    ordering = ["-created_at"]
    show_full_result_count = False
    list_per_page = 50
