"""Test-only views that deliberately forget to filter by user (see rls_urls.py).

Row-level security must still confine each of them to the signed-in user's rows.
"""

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.template.response import TemplateResponse

from core.rls import current_rls_user, set_rls_user
from tasks.models import Task


def _connection_facts() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_setting('app.identity', true)")
        pid, setting = cursor.fetchone()
    return {"backend_pid": pid, "setting": setting, "rls_user": current_rls_user()}


def unfiltered_tasks(request):
    """Every task the ORM can see: no `for_owner`, no `user=` filter."""
    titles = sorted(Task.objects.values_list("title", flat=True))
    return JsonResponse({"titles": titles, **_connection_facts()})


def raw_sql_tasks(request):
    """Plain SQL with no WHERE clause at all."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM tasks ORDER BY title")
        titles = [row[0] for row in cursor.fetchall()]
    return JsonResponse({"titles": titles, **_connection_facts()})


LAZY_TEMPLATE = engines["django"].from_string(
    "<ul>{% for task in tasks %}<li>{{ task.title }}</li>{% endfor %}</ul>"
    "<p id='user'>{{ rls_user }}</p><p id='atomic'>{{ in_atomic }}</p>"
)


def lazy_tasks(request):
    """A TemplateResponse whose QuerySet is evaluated while the template renders,
    after this function has returned."""
    context = {
        "tasks": Task.objects.order_by("title"),
        "rls_user": current_rls_user,  # callables run at render time
        "in_atomic": lambda: connection.in_atomic_block,
    }
    return TemplateResponse(request, LAZY_TEMPLATE, context)


def write_then_fail(request):
    """Creates a task, then answers 500: the middleware must roll the write back."""
    Task.objects.create(user=request.user, title="written by a failing request")
    return HttpResponse("failed", status=500)


def write_then_raise(request):
    Task.objects.create(user=request.user, title="written by a crashing request")
    raise RuntimeError("boom")


def switch_user(request):
    """What sign-in does: an anonymous request switches to a user in its own transaction."""
    before = sorted(Task.objects.values_list("title", flat=True))
    set_rls_user(request.GET["user"])
    after = sorted(Task.objects.values_list("title", flat=True))
    return JsonResponse(
        {"before": before, "after": after, "atomic": transaction.get_autocommit() is False}
    )


def write_then_fail_at_commit(request):
    """Creates a task and leaves a static token whose device it deletes: the
    deferred foreign key refuses that at COMMIT, after this view has answered."""
    from django_otp.plugins.otp_static.models import StaticDevice

    Task.objects.create(user=request.user, title="written by a request whose commit fails")
    device = StaticDevice.objects.create(user=request.user, name="backup")
    device.token_set.create(token="12345678")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM otp_static_staticdevice WHERE id = %s", [device.pk])
    return HttpResponse("Task saved.")


def write_with_on_commit(request):
    """Creates a task; an on_commit callback records in `request.commit_answered`
    whether PostgreSQL had answered the COMMIT when the callback ran."""
    from psycopg import pq

    Task.objects.create(user=request.user, title="written with a callback")
    request.commit_answered = []
    transaction.on_commit(
        lambda: request.commit_answered.append(
            connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
        )
    )
    return HttpResponse("saved")
