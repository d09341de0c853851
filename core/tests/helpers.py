"""Helpers shared by every app's tests (fixtures are in the root conftest.py)."""

import io
import re
import socket
from html.parser import HTMLParser

from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from core.middleware import RLSContextMiddleware
from core.rls import set_rls_user, user_context

RLS_MIDDLEWARE = "core.middleware.RLSContextMiddleware"
TEST_RLS_MIDDLEWARE = "core.tests.helpers.RLSContextMiddlewareInTests"


class RLSContextMiddlewareInTests(RLSContextMiddleware):
    """The request middleware, plus one thing only tests need.

    A test's own transaction encloses the test client's requests, and the
    request's savepoint, once released, leaves its RLS user on that transaction:
    this resets it, so the test's next queries act as nobody, as they would after
    a real request's COMMIT. The root conftest.py swaps it in for every test.
    """

    def __call__(self, request):
        nested = connection.in_atomic_block
        response = super().__call__(request)
        if nested:
            set_rls_user(None)
        return response


def sql(statement: str, params=(), using: str = "default"):
    """One statement on connection `using` (the application role by default): its rows,
    or the row count."""
    with connections[using].cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def admin_sql(statement: str, params=()):
    """One statement as the administrative role (every user's rows): its rows, or the row count."""
    return sql(statement, params, using="admin")


def sessions_waiting_on_a_lock() -> int:
    """Sessions of this test's database waiting for a lock. pg_locks lists the whole
    cluster's, so it is joined to pg_stat_activity for the database: the other test
    process has a database of its own, and its waits are not this test's."""
    return admin_sql(
        "SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a USING (pid) "
        "WHERE NOT l.granted AND a.datname = current_database()"
    )[0][0]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def titles_of(user, model=None) -> list[str]:
    """The sorted titles of `user`'s rows of `model` (Task by default), read as `user`."""
    if model is None:
        from tasks.models import Task as model
    with user_context(user.pk):
        return sorted(model.objects.for_owner(user).values_list("title", flat=True))


def tasks_of(email: str) -> list[tuple]:
    """(title, description, completed) of the tasks of `email`'s user, by title (admin role)."""
    return admin_sql(
        "SELECT t.title, t.description, t.completed FROM tasks t JOIN users u ON u.id = t.user_id "
        "WHERE u.email = %s ORDER BY t.title",
        [email],
    )


# PostgreSQL's names for the spec's column types (information_schema.columns.data_type).
UUID, VARCHAR, TEXT, BOOL, TSTZ = (
    "uuid",
    "character varying",
    "text",
    "boolean",
    "timestamp with time zone",
)


def columns_of(table: str) -> dict[str, tuple]:
    """{column: (data type, length, nullable, default)} of a table, as the catalog has them."""
    return {
        name: (data_type, length, nullable == "YES", default)
        for name, data_type, length, nullable, default in sql(
            """
            SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = %s
            """,
            [table],
        )
    }


def indexes_of(table: str) -> dict[str, str]:
    """{index name: CREATE INDEX statement} of a table."""
    return dict(sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]))


def run_command(*args) -> str:
    """`call_command(*args)` with its arguments parsed as on the command line; its stdout."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def signed_in_client(user, **client_options) -> Client:
    """A new test client signed in as `user` (for tests that need more than one)."""
    client = Client(**client_options)
    client.force_login(user)
    return client


def follow_pages(client, url, rel) -> list:
    """The page at `url`, then each page its `rel` link ("next", "previous") leads to,
    until there is none: the responses, in order."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response)
        url = response.context[f"{rel}_url"]
    return pages


def messages_of(response) -> list[str]:
    """The texts of the messages the response's request added."""
    return [str(m) for m in get_messages(response.wsgi_request)]


_CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_csrf_tokens(response) -> str:
    """The page's HTML with its per-response CSRF tokens blanked, to compare two pages."""
    return _CSRF_TOKEN.sub("", response.content.decode())


class _FormsOfPage(HTMLParser):
    """A page's POST forms (their hidden fields) and submit buttons, each button
    with its form: the one its `form` attribute names, else the one around it."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self.buttons: list[dict] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        owner = attrs.get("form") or self._open
        if tag == "form":
            self._open = attrs.get("id") or f"form {len(self.forms)}"
            self.forms[self._open] = {
                "action": attrs.get("action"),
                "method": attrs.get("method", "get").lower(),
                "fields": [],
            }
        elif tag == "input" and attrs.get("type") == "hidden" and owner:
            self.forms[owner]["fields"].append((attrs["name"], attrs.get("value", "")))
        elif tag == "button" and attrs.get("type", "submit") == "submit" and owner:
            self.buttons.append({**attrs, "form": owner})

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def submit_buttons(html: str) -> list[dict]:
    """The page's submit buttons, each as what clicking it sends without JavaScript:
    `method`, `url` (the button's formaction, else its form's action) and `data` (its
    form's hidden fields, then the button's name and value), with its attributes."""
    page = _FormsOfPage()
    page.feed(html)
    buttons = []
    for button in page.buttons:
        form = page.forms[button["form"]]
        data = dict(form["fields"])
        if button.get("name"):
            data[button["name"]] = button.get("value", "")
        url = button.get("formaction") or form["action"]
        buttons.append({**button, "method": form["method"], "url": url, "data": data})
    return buttons
