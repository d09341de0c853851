from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns
from todo_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("accounts.urls")),
    path("tasks/", include("tasks.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
