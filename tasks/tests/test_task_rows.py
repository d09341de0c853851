"""The list's rows (tasks/rendering.py, tasks/jinja2/tasks/_task_rows.html).

Their loop runs with autoescape off, on parts escaped once per page: these
check that each value from a task is still escaped wherever a row shows it, and
that the labels made once per page are the row's own, in the user's language.
"""

import re
from datetime import timedelta

import pytest
from django.template.defaultfilters import truncatechars
from django.urls import reverse

from core import clock
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("tasks:list")
EVIL = """<script>alert("x")</script> & 'q'"""


def _row(client, task) -> str:
    html = client.get(URL).content.decode()
    return re.search(rf'<li [^>]*id="task-{task.pk}".*?</li>', html, re.S).group(0)


def test_a_row_escapes_the_tasks_title_and_description_everywhere(alice_client, alice):
    task = TaskFactory(user=alice, title=EVIL, description=f"{EVIL}\nline 2", completed=True)

    row = _row(alice_client, task)

    title = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;"
    assert "<script" not in row
    detail = reverse("tasks:detail", args=[task.pk])
    assert f'<a class="task-title" href="{detail}">{title}</a>' in row
    for label in ("Done", "Edit task", "Delete task"):
        assert f'<span class="visually-hidden">{label}: {title}</span>' in row
    # The description as Django's linebreaksbr escapes it.
    description = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"
    assert f'<p class="task-description">{description}<br>line 2</p>' in row


@pytest.mark.parametrize(
    "description",
    ["short", "x" * 140, "y" * 141 + " long", "e\u0301" * 100],  # NFC: 100 characters
    ids=["short", "exactly-140", "long", "combining"],
)
def test_a_rows_description_is_cut_as_djangos_truncatechars(alice_client, alice, description):
    task = TaskFactory(user=alice, description=description)

    row = _row(alice_client, task)

    assert f'<p class="task-description">{truncatechars(description, 140)}</p>' in row


def test_a_french_users_row_says_everything_in_french(alice_client, alice, as_user):
    alice.language = "fr"
    with as_user(alice):
        alice.save(update_fields=["language"])
    yesterday = clock.today() - timedelta(days=1)
    task = TaskFactory(user=alice, title="Pain & lait", priority=3, due_date=yesterday)

    row = _row(alice_client, task)

    assert '<span class="visually-hidden">Faite : Pain &amp; lait</span>' in row
    assert 'aria-label="Priorité : Haute" title="Priorité : Haute">!!!</span>' in row
    assert '<span class="visually-hidden">Échéance : </span>' in row
    assert '<span class="task-due-flag">en retard</span>' in row
    assert 'title="Modifier" data-edit>' in row
    assert "Modifier la tâche : Pain &amp; lait" in row
    assert 'title="Supprimer">' in row
    assert "Supprimer la tâche : Pain &amp; lait" in row
