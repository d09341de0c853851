import pytest

from tasks.tests.factories import TaskFactory


@pytest.fixture
def alice_client(client, alice):
    """The test client, signed in as alice."""
    client.force_login(alice)
    return client


@pytest.fixture
def make_tasks():
    """`make_tasks(alice, 3, completed=True)`: that many tasks, inserted as their owner."""

    def make(user, n=1, **kwargs):
        return [TaskFactory(user=user, **kwargs) for _ in range(n)]

    return make
