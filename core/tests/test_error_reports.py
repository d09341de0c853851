"""Error reports never show a database URL, password or key, even with DEBUG on.

The attacker: anyone who can make a page fail on a site run with DEBUG on by
mistake, or who reads the error mails or logs.
"""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from core.error_reports import Reporter

# Built at run time, so the page's source excerpt of this file does not hold it.
SECRET_URL = (
    "postgres://todo_admin:" + "-".join(["hunter2", "admin", "password"]) + "@db.example.com/todo"
)


def failing_view(request):
    database_url = SECRET_URL  # a local variable the traceback would show
    raise RuntimeError(f"boom near {database_url}")


urlpatterns = [path("boom/", failing_view)]


@pytest.fixture
def debug_page(db):
    overrides = {
        "DEBUG": True,
        "ROOT_URLCONF": __name__,
        "ADMIN_DATABASE_URL": SECRET_URL,
        "DATABASE_URL": SECRET_URL.replace("todo_admin", "todo_app"),
        "EMAIL_HOST_PASSWORD": "mail-password-123",
    }
    with override_settings(**overrides):
        # runserver copies the environment into request.META.
        response = Client(raise_request_exception=False).get(
            "/boom/", DATABASE_URL=SECRET_URL, HTTP_ACCEPT="text/html"
        )
    return response


def test_the_debug_page_shows_no_password_or_key(debug_page):
    page = debug_page.content.decode()

    assert debug_page.status_code == 500
    assert "RuntimeError" in page  # it is the technical page
    for secret in ("hunter2-admin-password", "mail-password-123", settings.SECRET_KEY):
        assert secret not in page
    assert "todo_admin:********************@db.example.com" in page


def test_the_real_database_passwords_never_show(debug_page):
    page = debug_page.content.decode()

    for alias in settings.DATABASES.values():
        if alias.get("PASSWORD"):
            assert alias["PASSWORD"] not in page


def test_the_report_mailed_to_admins_is_filtered_too(rf):
    request = rf.get("/boom/")
    try:
        failing_view(request)
    except RuntimeError as error:
        reporter = Reporter(request, type(error), error, error.__traceback__)
    text = reporter.get_traceback_text()

    assert "hunter2-admin-password" not in text
    assert "todo_admin:********************@db.example.com" in text
