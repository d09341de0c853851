import re

import pytest
from django.contrib.messages import get_messages

from core.rls import user_context
from tasks.models import Task
from tasks.tests.browser_fixtures import browser, new_page, site_url  # noqa: F401

_CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def alice_client(client, alice):
    """The test client, signed in as alice."""
    client.force_login(alice)
    return client


@pytest.fixture
def make_tasks():
    """`make_tasks(alice, 3, completed=True)`: that many tasks, inserted as their owner.

    Titles are "Task 1", "Task 2", ... unless given. One INSERT for all of them.
    """

    def make(user, n=1, **kwargs):
        with user_context(user.pk):
            return Task.objects.bulk_create(
                [Task(user=user, **{"title": f"Task {i}", **kwargs}) for i in range(1, n + 1)]
            )

    return make


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def without_csrf_tokens(response) -> str:
    """The page's HTML with its per-response CSRF tokens blanked, to compare two pages."""
    return _CSRF_TOKEN.sub("", response.content.decode())
