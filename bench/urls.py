"""The site's URLs and the benchmark's pages (bench/views.py), only in bench/settings.py."""

from django.urls import path

from bench import views
from todo_site.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/bare/", views.bare, name="bench_bare"),
    path("bench/nodb/", views.nodb, name="bench_nodb"),
    path("bench/rendered/", views.rendered, name="bench_rendered"),
    *site_urlpatterns,
]
