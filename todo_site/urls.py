from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns
from core import views
from tasks.urls import account_urlpatterns as task_account_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include(task_account_urlpatterns)),
    path("tasks/", include("tasks.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
