from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns
from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("accounts.urls")),
    path("tasks/", include("tasks.urls")),
    path("admin/", admin.site.urls),
]
