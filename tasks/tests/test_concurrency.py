"""Concurrent writes on separate connections (real commits, one connection per thread):
no lost update, whatever the interleaving."""

import re
import threading
from collections import Counter

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.rls import user_context
from tasks import services
from tasks.models import Task
from tasks.tests.factories import TaskFactory

# Threads racing on real connections, hundreds of statements: `slow`.
pytestmark = [pytest.mark.usefixtures("committed"), pytest.mark.slow]


def _in_threads(n: int, work) -> list:
    """Run `work(i)` in n threads started together; each thread has its own connection."""
    start = threading.Barrier(n)
    results: list = [None] * n
    errors = []

    def run(i):
        try:
            start.wait()
            results[i] = work(i)
        except Exception as exc:  # reported below, with the thread's result missing
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def _completed(task) -> bool:
    with user_context(task.user_id):
        return Task.objects.get(pk=task.pk).completed


def test_1000_toggles_from_10_connections_alternate_exactly():
    task = TaskFactory(user=UserFactory())

    def toggle_100_times(_):
        states = []
        for _ in range(100):
            with user_context(task.user_id):
                states.append(services.task_toggle(owner=task.user, task_id=task.pk))
        return states

    written = [state for states in _in_threads(10, toggle_100_times) for state in states]

    # Serialised flips from False write True, False, True, ...: 500 of each. A lost
    # update (two flips reading the same state) would write one state more often.
    assert Counter(written) == {True: 500, False: 500}
    assert _completed(task) is False


def test_complete_all_racing_toggles_loses_no_update():
    task = TaskFactory(user=UserFactory())
    owner = task.user

    def work(i):
        changes = 0
        for _ in range(40):
            with user_context(owner.pk):
                if i < 2:
                    all_tasks = Task.objects.for_owner(owner)
                    changes += len(services.task_complete_all(owner=owner, tasks=all_tasks)[1])
                else:
                    services.task_toggle(owner=owner, task_id=task.pk)
                    changes += 1
        return changes

    changes = sum(_in_threads(6, work))

    # With one task, every change complete-all reports and every toggle flips it once.
    assert _completed(task) is (changes % 2 == 1)


_VERSION = re.compile(r'name="version" value="([^"]+)"')
ROUNDS = 6


def test_a_delete_racing_an_edit_gives_the_editor_a_clear_answer():
    owner = UserFactory()
    answers = Counter()
    for round_ in range(ROUNDS):
        task = TaskFactory(user=owner, title=f"Round {round_}")
        editor, deleter = Client(raise_request_exception=False), Client()
        editor.force_login(owner)
        deleter.force_login(owner)
        edit_url = reverse("tasks:update", args=[task.pk])
        version = _VERSION.search(editor.get(edit_url).content.decode()).group(1)

        def work(i, edit_url=edit_url, version=version, editor=editor, deleter=deleter):
            if i == 0:
                return editor.post(edit_url, {"title": "Edited", "version": version})
            return deleter.post(reverse("tasks:delete", args=[edit_url.split("/")[2]]))

        edit, delete = _in_threads(2, work)
        assert delete.status_code == 302
        if edit.status_code == 302:
            answers["saved first"] += 1
        else:
            assert edit.status_code == 404
            assert "This task no longer exists" in edit.content.decode()
            answers["told it was deleted"] += 1
    assert sum(answers.values()) == ROUNDS
    with user_context(owner.pk):
        assert not Task.objects.for_owner(owner).exists()
