"""Stale edits: the edit form carries the version (updated_at) it was read at, and a save
over a newer version is refused, showing both versions, never silently overwriting."""

import re
import uuid

import pytest
from django.urls import reverse

from core.tests.helpers import messages_of
from tasks import services
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

_VERSION = re.compile(r'name="version" value="([^"]+)"')


@pytest.fixture
def task(alice):
    return TaskFactory(user=alice, title="Call dentist", description="Schedule cleaning")


def _url(task):
    return reverse("tasks:update", args=[task.pk])


def _reload(task, as_user):
    with as_user(task.user):
        return Task.objects.get(pk=task.pk)


def _version_in(response) -> str:
    return _VERSION.search(response.content.decode()).group(1)


def _saved_elsewhere(task, as_user, **fields):
    """Another tab saves the task: a real UPDATE, so the trigger moves updated_at."""
    with as_user(task.user):
        Task.objects.filter(pk=task.pk).update(**fields)


def test_the_form_carries_the_version_it_was_read_at(alice_client, task, as_user):
    version = _version_in(alice_client.get(_url(task)))

    assert version == _reload(task, as_user).updated_at.isoformat()


def test_a_save_from_an_up_to_date_form_goes_through(alice_client, task, as_user):
    version = _version_in(alice_client.get(_url(task)))

    response = alice_client.post(_url(task), {"title": "Mine", "version": version})

    assert response.status_code == 302
    assert messages_of(response) == ["Task saved."]
    assert _reload(task, as_user).title == "Mine"


def test_a_save_over_a_newer_version_is_refused_showing_both(alice_client, task, as_user):
    version = _version_in(alice_client.get(_url(task)))
    _saved_elsewhere(task, as_user, title="Theirs <b>", completed=True)

    response = alice_client.post(
        _url(task), {"title": "Mine", "description": "Monday", "version": version}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "This task changed after you opened it" in html
    # Current values next to the user's, escaped.
    assert "<td>Theirs &lt;b&gt;</td>" in html and "<td>Mine</td>" in html
    assert "<td>Yes</td>" in html and "<td>No</td>" in html
    # The fields keep what the user typed; nothing was saved.
    assert 'value="Mine"' in html
    saved = _reload(task, as_user)
    assert (saved.title, saved.completed) == ("Theirs <b>", True)
    # The form now carries the newer version: "Save mine" is a deliberate choice...
    assert _version_in(response) == saved.updated_at.isoformat()
    assert "Save mine" in html and "Keep the saved version" in html


def test_save_mine_after_a_conflict_replaces_the_saved_version(alice_client, task, as_user):
    version = _version_in(alice_client.get(_url(task)))
    _saved_elsewhere(task, as_user, title="Theirs")
    conflict = alice_client.post(_url(task), {"title": "Mine", "version": version})

    response = alice_client.post(_url(task), {"title": "Mine", "version": _version_in(conflict)})

    assert response.status_code == 302
    assert _reload(task, as_user).title == "Mine"


def test_a_toggle_in_another_tab_also_makes_the_form_stale(alice_client, alice, task, as_user):
    version = _version_in(alice_client.get(_url(task)))
    with as_user(alice):
        services.task_toggle(owner=alice, task_id=task.pk)

    response = alice_client.post(_url(task), {"title": "Call dentist", "version": version})

    assert response.status_code == 409
    assert _reload(task, as_user).completed is True


def test_saving_a_task_deleted_meanwhile_says_so_and_shows_what_was_typed(
    alice_client, alice, task, as_user
):
    version = _version_in(alice_client.get(_url(task)))
    with as_user(alice):
        services.task_delete(owner=alice, task_id=task.pk)

    response = alice_client.post(_url(task), {"title": "Typed <i>", "version": version})

    assert response.status_code == 404
    html = response.content.decode()
    assert "This task no longer exists" in html
    assert "Typed &lt;i&gt;" in html


def test_the_service_refuses_a_deleted_task_between_read_and_write(alice, task, as_user):
    # What happens when the delete commits after the view read the task.
    with as_user(alice):
        stale = Task.objects.get(pk=task.pk)
        Task.objects.filter(pk=task.pk).delete()
        with pytest.raises(services.TaskGone):
            services.task_update(
                owner=alice,
                task_id=stale.pk,
                title="x",
                description=None,
                completed=False,
                version=stale.updated_at,
            )


@pytest.mark.parametrize("version", ["yesterday", "2026-13-40T00:00:00+00:00", "2026-01-01T00:00"])
def test_a_malformed_version_is_refused_with_a_message(alice_client, task, as_user, version):
    response = alice_client.post(_url(task), {"title": "Mine", "version": version})

    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    assert _reload(task, as_user).title == "Call dentist"


def test_a_post_without_a_version_still_saves(alice_client, task, as_user):
    # Scripts that post only the contract's fields: the last save wins, as before.
    alice_client.post(_url(task), {"title": "Scripted"})

    assert _reload(task, as_user).title == "Scripted"


def test_another_users_task_is_404_with_or_without_a_version(client, bob, task, as_user):
    client.force_login(bob)
    for data in ({"title": "x"}, {"title": "x", "version": "2026-01-01T00:00:00+00:00"}):
        assert client.post(_url(task), data).status_code == 404
    assert client.post(reverse("tasks:update", args=[uuid.uuid4()]), {"title": "x"}).status_code
    assert _reload(task, as_user).title == "Call dentist"


# --- the list's inline title edit (tasks:rename) carries the row's version too --------


def _rename(client, task, title, version):
    return client.post(
        reverse("tasks:rename", args=[task.pk]), {"title": title, "version": version}, follow=True
    )


def test_the_list_row_carries_the_version_for_the_inline_edit(alice_client, task, as_user):
    html = alice_client.get(reverse("tasks:list")).content.decode()

    assert f'data-version="{_reload(task, as_user).updated_at.isoformat()}"' in html


def test_an_inline_rename_from_the_current_version_saves(alice_client, task, as_user):
    response = _rename(alice_client, task, "Renamed", _reload(task, as_user).updated_at.isoformat())

    assert messages_of(response) == ["Title saved."]
    assert _reload(task, as_user).title == "Renamed"


def test_an_inline_rename_over_a_newer_version_says_both_and_saves_neither_over(
    alice_client, task, as_user
):
    version = _reload(task, as_user).updated_at.isoformat()
    _saved_elsewhere(task, as_user, title="Theirs")

    response = _rename(alice_client, task, "Mine", version)

    assert messages_of(response) == [
        "The task changed after you started editing it: it is now “Theirs”. "
        "Your title “Mine” was not saved; edit it again to keep yours."
    ]
    assert _reload(task, as_user).title == "Theirs"
