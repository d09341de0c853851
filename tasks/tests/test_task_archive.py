import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.tests.helpers import messages_of
from tasks.models import ArchivedTask, Task

pytestmark = pytest.mark.django_db

URL = reverse("tasks:archive")
LONG_AGO = timezone.now() - timedelta(days=200)


@pytest.fixture
def archive(as_user):
    """`archive(user, "title", ...)`: archived tasks of that user, inserted as the user."""

    def make(user, *titles):
        with as_user(user):
            return ArchivedTask.objects.bulk_create(
                [
                    ArchivedTask(
                        id=uuid.uuid4(),
                        user=user,
                        title=t,
                        completed=True,
                        created_at=LONG_AGO,
                        updated_at=LONG_AGO,
                    )
                    for t in titles
                ]
            )

    return make


def test_it_lists_only_my_archived_tasks(alice_client, alice, bob, archive):
    archive(alice, "Old report")
    archive(bob, "Bob's old secret")

    response = alice_client.get(URL)

    assert response.status_code == 200
    assert b"Old report" in response.content
    assert b"Bob&#x27;s old secret" not in response.content
    assert b"Bob's old secret" not in response.content


def test_it_shows_an_empty_state(alice_client):
    assert b"No archived tasks." in alice_client.get(URL).content


def test_restore_moves_the_task_back_with_a_fresh_updated_at(alice_client, alice, archive, as_user):
    (old,) = archive(alice, "Old report")

    response = alice_client.post(reverse("tasks:restore", args=[old.pk]))

    assert response.status_code == 302
    assert response["Location"] == URL
    assert messages_of(response) == ["Task restored to your list."]
    with as_user(alice):
        assert not ArchivedTask.objects.filter(pk=old.pk).exists()
        restored = Task.objects.for_owner(alice).get(pk=old.pk)
    assert (restored.title, restored.completed) == ("Old report", True)
    assert restored.updated_at > old.updated_at


def test_restoring_another_users_task_is_a_404_and_changes_nothing(
    alice_client, bob, archive, as_user
):
    (theirs,) = archive(bob, "Bob's")

    response = alice_client.post(reverse("tasks:restore", args=[theirs.pk]))

    assert response.status_code == 404
    with as_user(bob):
        assert ArchivedTask.objects.filter(pk=theirs.pk).exists()
        assert not Task.objects.filter(pk=theirs.pk).exists()


def test_restore_is_post_only_and_a_missing_id_is_a_404(alice_client, alice, archive):
    (old,) = archive(alice, "Old")

    assert alice_client.get(reverse("tasks:restore", args=[old.pk])).status_code == 405
    assert alice_client.post(reverse("tasks:restore", args=[uuid.uuid4()])).status_code == 404
    assert alice_client.post(f"{URL}not-a-uuid/restore/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("n", [1, 31])
def test_the_query_count_does_not_grow_with_the_archive(
    alice_client, alice, archive, django_assert_num_queries, n
):
    archive(alice, *[f"t{i}" for i in range(n)])

    # SAVEPOINT, session, set the RLS user, user, count, the page of archived
    # tasks, RELEASE SAVEPOINT, reset the RLS user (tests only: helpers.py)
    with django_assert_num_queries(8):
        alice_client.get(URL)


def test_archiving_and_restoring_keep_due_date_and_priority(alice_client, alice, as_user):
    from datetime import date

    from django.db import connection

    from tasks.services import archive_batches, archive_cutoff

    with as_user(alice), connection.cursor() as cursor:
        # Plain SQL: the trigger would move updated_at on an UPDATE.
        cursor.execute(
            "INSERT INTO tasks (user_id, title, completed, updated_at, due_date, priority) "
            "VALUES (%s, 'Filed', true, %s, '2026-01-02', 3) RETURNING id",
            [alice.pk, LONG_AGO],
        )
        task_id = cursor.fetchone()[0]

    # The command uses the administrative alias; alice's context moves the same row here.
    with as_user(alice):
        cutoff = archive_cutoff(days=90, using="default")
        assert list(archive_batches(cutoff=cutoff, batch_size=10, using="default")) == [1]
        archived = ArchivedTask.objects.get(pk=task_id)
    assert (archived.due_date, archived.priority) == (date(2026, 1, 2), 3)

    alice_client.post(reverse("tasks:restore", args=[task_id]))
    with as_user(alice):
        restored = Task.objects.get(pk=task_id)
    assert (restored.due_date, restored.priority) == (date(2026, 1, 2), 3)


def test_it_states_its_rule(alice_client):
    html = alice_client.get(URL).content.decode()

    assert "Completed tasks come here when you use “Clear completed”" in html
    assert "more than 90 days ago are moved here automatically" in html


def test_delete_forever_asks_to_confirm_then_deletes_for_good(
    alice_client, alice, archive, as_user
):
    kept, doomed = archive(alice, "Keep me", "Old report")
    delete_url = reverse("tasks:archive_delete", args=[doomed.pk])
    assert f'href="{delete_url}"' in alice_client.get(URL).content.decode()

    confirm = alice_client.get(delete_url)
    assert "<h1>Delete this archived task forever?</h1>" in confirm.content.decode()
    with as_user(alice):
        assert ArchivedTask.objects.filter(pk=doomed.pk).exists()

    response = alice_client.post(delete_url)

    assert response["Location"] == URL
    assert messages_of(response) == ["Archived task deleted for good."]
    with as_user(alice):
        assert list(ArchivedTask.objects.values_list("title", flat=True)) == ["Keep me"]


def test_delete_forever_gives_404_for_another_users_archived_task(
    client, alice, bob, archive, as_user
):
    (bobs,) = archive(bob, "Bob's")
    client.force_login(alice)

    assert client.get(reverse("tasks:archive_delete", args=[bobs.pk])).status_code == 404
    assert client.post(reverse("tasks:archive_delete", args=[bobs.pk])).status_code == 404
    with as_user(bob):
        assert ArchivedTask.objects.filter(pk=bobs.pk).exists()
