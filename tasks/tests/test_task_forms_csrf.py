"""Every POST form the task pages render carries a CSRF token, and posting it as rendered works.

The test client skips CSRF checks by default, so a form missing its token would
pass every other client test and fail only in a browser.
"""

import re

import pytest
from django.test import Client

from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _post_forms(html: str) -> list[tuple[str, dict]]:
    return [(action, dict(_HIDDEN.findall(body))) for action, body in _FORM.findall(html)]


@pytest.fixture
def strict_client(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def test_every_post_form_on_the_task_pages_has_a_token(strict_client, alice):
    task = TaskFactory(user=alice, completed=True)
    paths = [
        "/tasks/",
        "/tasks/?status=completed&q=Task",
        "/tasks/new/",
        f"/tasks/{task.pk}/",
        f"/tasks/{task.pk}/edit/",
        f"/tasks/{task.pk}/delete/",
        "/tasks/clear-completed/",
    ]
    for path in paths:
        forms = _post_forms(strict_client.get(path).content.decode())
        assert forms, path
        for action, fields in forms:
            assert fields.get("csrfmiddlewaretoken"), (path, action)


def test_the_rendered_toggle_form_works_with_csrf_enforced(strict_client, alice, as_user):
    task = TaskFactory(user=alice)
    html = strict_client.get("/tasks/?status=active").content.decode()
    action, fields = next(f for f in _post_forms(html) if f[0].endswith("/toggle/"))

    response = strict_client.post(action, fields)

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=active"
    with as_user(alice):
        assert Task.objects.for_owner(alice).get(pk=task.pk).completed is True
