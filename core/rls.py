"""The row-level security context: the one place the current user reaches PostgreSQL.

Policies read `app.current_user_id()` (and, on `users`, `app.current_email()`),
which return the claim of the transaction's signed token (core/identity.py)
only when PostgreSQL verifies it (core/migrations/0001_database_identity.py).
The token is written only here, with `set_config('app.identity', token, true)`:
transaction-local, so it vanishes at COMMIT or ROLLBACK and never survives onto
a pooled connection that serves someone else. It is sent as a bound parameter
of the extended protocol, never inside the statement text, which
pg_stat_activity shows to every other session of the application role.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.backends.postgresql.base import ServerBindingCursor

from core import identity

SETTING = "app.identity"
COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "ALL")


@dataclass(frozen=True)
class Policy:
    """A permissive policy as a migration creates it.

    `owner_column` names the column its expressions compare with the current user
    (`column = (SELECT app.current_user_id())`); None means the policy is open
    (`true`). With `through`, `owner_column` refers to the id of rows of that table
    whose own user_id is the current user (`column IN (SELECT id FROM through
    WHERE user_id = ...)`), for a table that has no user_id of its own. The
    expression is the USING clause except for INSERT, and the WITH CHECK clause
    for ALL, INSERT and UPDATE.
    """

    name: str
    command: str
    owner_column: str | None = None
    through: str | None = None

    def __post_init__(self):
        if self.command not in COMMANDS:
            raise ValueError(f"{self.name}: command must be one of {COMMANDS}")


@dataclass(frozen=True)
class ProtectedTable:
    """A table under ENABLE and FORCE ROW LEVEL SECURITY with exactly these permissive policies."""

    name: str
    policies: tuple[Policy, ...]


def protected_tables() -> tuple[ProtectedTable, ...]:
    """Every table the installed apps protect, as each declares in `AppConfig.rls_tables`.

    The one declaration that the start-up check (core/checks.py), `db_health`
    and the RLS tests read. Sorted by table name.
    """
    from django.apps import apps

    tables = [t for config in apps.get_app_configs() for t in getattr(config, "rls_tables", ())]
    return tuple(sorted(tables, key=lambda table: table.name))


def _as_user_id(user_id) -> str:
    """'' for nobody, else the canonical text of a UUID; anything else is refused here."""
    if user_id is None or user_id == "":
        return ""
    if not isinstance(user_id, uuid.UUID):
        user_id = uuid.UUID(str(user_id))  # ValueError before any SQL
    return str(user_id)


def _set_token(token: str, using: str) -> None:
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("set_rls_user() needs a transaction: wrap it in transaction.atomic()")
    connection.ensure_connection()
    # Server-side binding (Django's own cursors interpolate on the client).
    with connection._prepare_cursor(ServerBindingCursor(connection.connection)) as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, token])


def set_rls_user(user_id, *, using: str = "default") -> None:
    """Make `user_id` (or None: nobody) the current user for the rest of this transaction.

    Must run inside `transaction.atomic()`: outside one, the setting would last a
    single statement. Raises ValueError for anything that is not a UUID. One query.
    """
    value = _as_user_id(user_id)
    _set_token(identity.make_token(identity.USER, value) if value else "", using)


def current_rls_user(*, using: str = "default") -> str | None:
    """The id the database currently sees as the user (None when unset). One query."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app.current_user_id()")
        value = cursor.fetchone()[0]
    return None if value is None else str(value)


@contextmanager
def _token_context(token: str, using: str):
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT current_setting(%s, true)", [SETTING])
            previous = cursor.fetchone()[0] or ""
        _set_token(token, using)
        yield
        _set_token(previous, using)


def user_context(user_id, *, using: str = "default"):
    """`with user_context(user_id):` a transaction (or savepoint) acting as that user.

    For code outside the request middleware: commands, streamed responses,
    on_commit hooks, and sign-in/sign-up inside a request. Nested inside another
    transaction, the previous identity is restored on leaving; on an error the
    savepoint's rollback restores it. Two queries on entry, one on leaving.
    """
    value = _as_user_id(user_id)  # refuse a bad id before opening anything
    return _token_context(identity.make_token(identity.USER, value) if value else "", using)


def email_context(email: str, *, using: str = "default"):
    """`with email_context(email):` the one user row with this address becomes readable.

    `email` as stored (accounts.models.normalize_email). Read-only and nothing
    else: no task, no other row. For the lookups that come before anyone is
    signed in (sign-in, sign-up's "address taken", password reset requests).
    Same cost and nesting as `user_context`.
    """
    return _token_context(identity.make_token(identity.EMAIL, email), using)
