"""Double submits: create forms carry a one-time token, and the same token posted twice
(double click, retry after a timeout, back button) creates one task and gets the first answer."""

import re
import threading
import time
import uuid

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.rls import user_context
from core.tests.helpers import messages_of, sessions_waiting_on_a_lock, titles_of
from tasks import services
from tasks.models import SubmitToken, Task

URL = reverse("tasks:create")
_TOKEN = re.compile(r'name="submit_token" value="([0-9a-f-]{36})"')


def _tokens_in(response) -> list[str]:
    return _TOKEN.findall(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("page", [reverse("tasks:list"), URL])
def test_each_create_form_carries_a_fresh_token(alice_client, page):
    first, second = _tokens_in(alice_client.get(page)), _tokens_in(alice_client.get(page))

    assert len(first) == 1 and len(second) == 1
    assert first != second


@pytest.mark.django_db
def test_the_same_post_twice_creates_one_task_and_gets_the_same_answer(alice_client, alice):
    data = {"title": "Buy milk", "submit_token": str(uuid.uuid4()), "status": "active"}

    first = alice_client.post(URL, data, follow=True)
    first_messages = messages_of(first)
    second = alice_client.post(URL, data, follow=True)

    assert first.redirect_chain == second.redirect_chain == [("/tasks/?status=active", 302)]
    assert first_messages == messages_of(second) == ["Task added."]
    assert titles_of(alice) == ["Buy milk"]


@pytest.mark.django_db
def test_the_quick_add_on_the_list_posted_twice_creates_one_task(alice_client, alice):
    token = _tokens_in(alice_client.get(reverse("tasks:list")))[0]
    url = reverse("tasks:list") + "?status=active"

    first = alice_client.post(url, {"title": "Buy milk", "submit_token": token}, follow=True)
    second = alice_client.post(url, {"title": "Buy milk", "submit_token": token}, follow=True)

    assert first.redirect_chain == second.redirect_chain == [("/tasks/?status=active", 302)]
    assert messages_of(first) == messages_of(second) == ["Task added."]
    assert titles_of(alice) == ["Buy milk"]


@pytest.mark.django_db
def test_the_same_token_with_other_content_is_a_new_task(alice_client, alice):
    # The back button, then a different title in the old page's form: not a repeat.
    token = str(uuid.uuid4())
    alice_client.post(URL, {"title": "Buy milk", "submit_token": token})
    alice_client.post(URL, {"title": "Buy bread", "submit_token": token})

    assert titles_of(alice) == ["Buy bread", "Buy milk"]


@pytest.mark.django_db
def test_a_token_still_counts_after_its_task_was_deleted(alice_client, alice):
    data = {"title": "Buy milk", "submit_token": str(uuid.uuid4())}
    alice_client.post(URL, data)
    with user_context(alice.pk):
        Task.objects.for_owner(alice).delete()

    alice_client.post(URL, data)

    assert titles_of(alice) == []


@pytest.mark.django_db
def test_a_post_without_a_token_still_creates(alice_client, alice):
    alice_client.post(URL, {"title": "Scripted"})
    alice_client.post(URL, {"title": "Scripted"})

    assert titles_of(alice) == ["Scripted", "Scripted"]


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["not-a-uuid", "1" * 40, "'; DROP TABLE tasks; --"])
def test_a_damaged_token_is_refused_with_a_message(alice_client, alice, token):
    response = alice_client.post(URL, {"title": "Buy milk", "submit_token": token})

    assert response.status_code == 200
    assert "This form was damaged and has been renewed" in response.content.decode()
    assert titles_of(alice) == []
    (fresh,) = _tokens_in(response)
    alice_client.post(URL, {"title": "Buy milk", "submit_token": fresh})
    assert titles_of(alice) == ["Buy milk"]


@pytest.mark.django_db
def test_another_users_identical_token_does_not_block_their_post(client, alice, bob):
    token = str(uuid.uuid4())
    client.force_login(alice)
    client.post(URL, {"title": "Same", "submit_token": token})
    client.force_login(bob)
    client.post(URL, {"title": "Same", "submit_token": token})

    assert titles_of(alice) == ["Same"] and titles_of(bob) == ["Same"]


@pytest.mark.django_db
def test_old_tokens_are_forgotten(alice, as_user):
    long_ago = services.timezone.now() - services.SUBMIT_TOKEN_LIFETIME * 2
    with as_user(alice):
        SubmitToken.objects.create(
            id=uuid.uuid4(), user=alice, fingerprint="x", created_at=long_ago
        )
        services.submit_token_spend(owner=alice, token=uuid.uuid4(), content={})
        assert SubmitToken.objects.filter(user=alice).count() == 1


# --- concurrent posts on separate connections (real commits) ---------------------------


def test_two_concurrent_posts_of_one_token_create_one_task(committed):
    user = UserFactory()
    data = {"title": "Double click", "submit_token": str(uuid.uuid4())}
    start = threading.Barrier(2)
    answers = []

    def post():
        client = Client()
        client.force_login(user)
        start.wait()
        response = client.post(URL, data)
        answers.append((response.status_code, response["Location"], messages_of(response)))
        connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [(302, "/tasks/", ["Task added."])] * 2
    assert titles_of(user) == ["Double click"]


def test_a_second_post_waits_for_the_first_and_then_creates_nothing(committed):
    """Forces the overlap: the first post's transaction is still open when the second arrives."""
    user = UserFactory()
    token, content = uuid.uuid4(), {"title": "Retried"}
    second = {}

    def second_post():
        with user_context(user.pk):
            second["fresh"] = services.submit_token_spend(owner=user, token=token, content=content)
        connections.close_all()

    with transaction.atomic(), user_context(user.pk):
        assert services.submit_token_spend(owner=user, token=token, content=content)
        thread = threading.Thread(target=second_post)
        thread.start()
        deadline = time.monotonic() + 10
        while not sessions_waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sessions_waiting_on_a_lock(), "the second post waits on the token's primary key"
        services.task_create(owner=user, title="Retried")
    thread.join(timeout=10)

    assert second == {"fresh": False}
    assert titles_of(user) == ["Retried"]
