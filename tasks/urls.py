from django.urls import path

from tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create, name="create"),
    path("clear-completed/", views.task_clear_completed, name="clear_completed"),
    path("complete-all/", views.task_complete_all, name="complete_all"),
    path("archive/", views.task_archive, name="archive"),
    path("undo/", views.task_undo, name="undo"),
    path("archive/<uuid:pk>/restore/", views.task_restore, name="restore"),
    path("archive/<uuid:pk>/delete/", views.archived_task_delete, name="archive_delete"),
    path("sort/", views.task_sort, name="sort"),
    path("quick-add/preview/", views.task_quick_add_preview, name="quick_add_preview"),
    path("<uuid:pk>/", views.task_detail, name="detail"),
    path("<uuid:pk>/edit/", views.task_update, name="update"),
    path("<uuid:pk>/toggle/", views.task_toggle, name="toggle"),
    path("<uuid:pk>/rename/", views.task_rename, name="rename"),
    path("<uuid:pk>/delete/", views.task_delete, name="delete"),
]

# Under /accounts/ with the account pages (CONTRACT.md), un-namespaced as Django's auth views are.
account_urlpatterns = [
    path("export/", views.task_export, name="task_export"),
    path("import/", views.task_import, name="task_import"),
]
