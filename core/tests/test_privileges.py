"""The application role holds exactly the allowlist of core/grants.py, read from the catalog.

A table or function added by a later migration is closed to the application
role until someone lists it in core/grants.py; these tests then say which one.
"""

import io

from django.core.management import call_command
from django.db import connections

from core.checks import rls_errors
from core.grants import APP_ROLE_FUNCTIONS, APP_ROLE_TABLES, SCHEMAS
from core.identity import derive_key
from core.tests.helpers import sql


def test_table_privileges_are_exactly_the_allowlist(db):
    rows = sql(
        """
        SELECT table_name, privilege_type FROM information_schema.role_table_grants
        WHERE grantee IN (current_user, 'PUBLIC') AND table_schema = ANY(%s)
        """,
        [SCHEMAS],
    )
    granted = {}
    for table, privilege in rows:
        granted.setdefault(table, set()).add(privilege)
    assert granted == APP_ROLE_TABLES


def test_every_listed_table_exists(db):
    # A renamed table must not leave a stale entry behind.
    for table in APP_ROLE_TABLES:
        assert sql("SELECT to_regclass(%s) IS NOT NULL", [table]) == [(True,)], table


def test_function_privileges_are_exactly_the_allowlist(db):
    rows = sql(
        """
        SELECT p.oid::regprocedure::text
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ANY(%s) AND has_function_privilege(p.oid, 'EXECUTE')
        """,
        [SCHEMAS],
    )
    assert {name for (name,) in rows} == APP_ROLE_FUNCTIONS


def test_no_sequence_no_schema_creation_no_temporary_objects(db):
    assert (
        sql(
            """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND n.nspname = ANY(%s)
          AND (has_sequence_privilege(c.oid, 'USAGE') OR has_sequence_privilege(c.oid, 'UPDATE'))
        """,
            [SCHEMAS],
        )
        == []
    )
    assert sql("SELECT nspname FROM pg_namespace WHERE has_schema_privilege(oid, 'CREATE')") == []
    assert sql(
        "SELECT has_database_privilege(current_database(), 'CREATE'), "
        "has_database_privilege(current_database(), 'TEMPORARY')"
    ) == [(False, False)]


def test_column_privileges_add_nothing_to_the_table_grants(db):
    # A column grant would reopen a column of a closed table.
    assert (
        sql(
            """
        SELECT DISTINCT table_name, privilege_type FROM information_schema.column_privileges
        WHERE grantee IN (current_user, 'PUBLIC') AND table_schema = ANY(%s)
        EXCEPT
        SELECT table_name, privilege_type FROM information_schema.role_table_grants
        WHERE grantee IN (current_user, 'PUBLIC') AND table_schema = ANY(%s)
        """,
            [SCHEMAS, SCHEMAS],
        )
        == []
    )


def test_set_identity_keys_writes_exactly_the_current_keys(committed, settings):
    # A rotation: the new key in SECRET_KEY, the old one kept as a fallback.
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-next-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    settings.SECRET_KEY_FALLBACKS = [old]
    out = io.StringIO()
    try:
        call_command("set_identity_keys", stdout=out)
        assert "1 added, 0 removed" in out.getvalue()
        assert _key_ids() == sorted(derive_key(s)[0] for s in (old, settings.SECRET_KEY))
        # The fallback dropped: its key goes, and tokens signed with it stop working.
        settings.SECRET_KEY_FALLBACKS = []
        call_command("set_identity_keys", stdout=out)
        assert _key_ids() == [derive_key(settings.SECRET_KEY)[0]]
        assert rls_errors(connections["default"]) == []
    finally:
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old, []
        call_command("set_identity_keys", stdout=io.StringIO())
    assert _key_ids() == [derive_key(old)[0]]


def _key_ids():
    with connections["admin"].cursor() as cursor:
        cursor.execute("SELECT key_id FROM app.identity_keys ORDER BY 1")
        return [key_id for (key_id,) in cursor.fetchall()]
