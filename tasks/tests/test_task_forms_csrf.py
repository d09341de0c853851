"""Every POST form the task pages render carries a CSRF token, and posting it as rendered works.

The test client skips CSRF checks by default, so a form missing its token would
pass every other client test and fail only in a browser.
"""

import pytest
from django.test import Client

from core.tests.helpers import submit_buttons
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _post_buttons(html: str) -> list[dict]:
    """What each submit button of a POST form sends (its form's fields and its own)."""
    return [button for button in submit_buttons(html) if button["method"] == "post"]


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
        buttons = _post_buttons(strict_client.get(path).content.decode())
        assert buttons, path
        # The list's rows' buttons included: they submit the page's one row form.
        for button in buttons:
            assert button["data"].get("csrfmiddlewaretoken"), (path, button["url"])


def test_the_rendered_toggle_form_works_with_csrf_enforced(strict_client, alice, as_user):
    task = TaskFactory(user=alice)
    html = strict_client.get("/tasks/?status=active").content.decode()
    toggle = next(b for b in _post_buttons(html) if b["url"].endswith("/toggle/"))

    response = strict_client.post(toggle["url"], toggle["data"])

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=active"
    with as_user(alice):
        assert Task.objects.for_owner(alice).get(pk=task.pk).completed is True
