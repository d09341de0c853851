"""The row-level security context: the one place the current user's id reaches PostgreSQL.

Policies (tasks/migrations/0003_row_level_security.py) read the transaction-local
setting `app.user_id` through `app.current_user_id()`. It is written only with
`set_config(..., true)` and a bound parameter, so it vanishes at COMMIT or
ROLLBACK and never survives onto a pooled connection that serves someone else.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction

SETTING = "app.user_id"
COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "ALL")


@dataclass(frozen=True)
class Policy:
    """A permissive policy as a migration creates it.

    `owner_column` names the column its expressions compare with the current user
    (`column = (SELECT app.current_user_id())`); None means the policy is open
    (`true`). The expression is the USING clause except for INSERT, and the WITH
    CHECK clause for ALL, INSERT and UPDATE.
    """

    name: str
    command: str
    owner_column: str | None = None

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


def _as_setting(user_id) -> str:
    """'' for nobody, else the canonical text of a UUID; anything else is refused here."""
    if user_id is None or user_id == "":
        return ""
    if not isinstance(user_id, uuid.UUID):
        user_id = uuid.UUID(str(user_id))  # ValueError before any SQL
    return str(user_id)


def set_rls_user(user_id, *, using: str = "default") -> None:
    """Make `user_id` (or None: nobody) the current user for the rest of this transaction.

    Must run inside `transaction.atomic()`: outside one, the setting would last a
    single statement. Raises ValueError for anything that is not a UUID. One query.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("set_rls_user() needs a transaction: wrap it in transaction.atomic()")
    value = _as_setting(user_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, value])


def current_rls_user(*, using: str = "default") -> str | None:
    """The id the database currently sees as the user (None when unset). One query."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app.current_user_id()")
        value = cursor.fetchone()[0]
    return None if value is None else str(value)


@contextmanager
def user_context(user_id, *, using: str = "default"):
    """`with user_context(user_id):` a transaction (or savepoint) acting as that user.

    For code outside the request middleware: commands, streamed responses,
    on_commit hooks, and sign-in/sign-up inside a request. Nested inside another
    transaction, the previous user is restored on leaving; on an error the
    savepoint's rollback restores it. Two queries on entry, one on leaving.
    """
    _as_setting(user_id)  # refuse a bad id before opening anything
    with transaction.atomic(using=using):
        previous = current_rls_user(using=using)
        set_rls_user(user_id, using=using)
        yield
        set_rls_user(previous, using=using)
