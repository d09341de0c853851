"""The `users` table matches ../shared/SCHEMA.md, read from PostgreSQL's own catalog.

The test database is migrated from zero at the start of every run, so these
assertions are about what the migrations really build. The `tasks` table's half
of the spec is tasks/tests/test_schema.py.
"""

from core.tests.helpers import BOOL, TEXT, TSTZ, UUID, VARCHAR, admin_sql, columns_of, indexes_of

# Schema v1.1 (docs/schema.md changelog): the user's time zone, language and list sort.
V1_1_USER_COLUMNS = {
    "time_zone": (VARCHAR, 64, False, "'UTC'::character varying"),
    "language": (VARCHAR, 8, False, "''::character varying"),
    "task_sort": (VARCHAR, 16, False, "'newest'::character varying"),
}


def test_users_columns_match_the_spec_plus_djangos_auth_columns(db):
    columns = columns_of("users")
    spec = {
        "id": (UUID, None, False, "gen_random_uuid()"),
        "email": (VARCHAR, 255, False, None),
        "email_verified": (BOOL, None, False, "false"),
        "name": (VARCHAR, 255, True, None),
        "image": (TEXT, None, True, None),
        "created_at": (TSTZ, None, False, "now()"),
        "updated_at": (TSTZ, None, False, "now()"),
    }
    assert {name: columns[name] for name in spec} == spec
    assert set(columns) - set(spec) - set(V1_1_USER_COLUMNS) == {
        "password",
        "last_login",
        "is_active",
        "is_staff",
        "is_superuser",
    }
    assert {name: columns[name] for name in V1_1_USER_COLUMNS} == V1_1_USER_COLUMNS


def test_users_has_the_spec_indexes_and_case_insensitive_uniqueness(db):
    indexes = indexes_of("users")
    assert indexes["idx_users_email"] == (
        "CREATE INDEX idx_users_email ON public.users USING btree (email)"
    )
    assert indexes["idx_users_created_at"] == (
        "CREATE INDEX idx_users_created_at ON public.users USING btree (created_at)"
    )
    assert indexes["uk_users_email"] == (
        "CREATE UNIQUE INDEX uk_users_email ON public.users USING btree (email)"
    )
    assert indexes["uk_users_email_lower"] == (
        "CREATE UNIQUE INDEX uk_users_email_lower ON public.users "
        "USING btree (lower((email)::text))"
    )


def test_a_plain_sql_update_moves_updated_at(committed):
    (user_id,) = admin_sql(
        "INSERT INTO users (email, password, is_active, is_staff, is_superuser, "
        "created_at, updated_at) VALUES ('sql@example.com', '!', true, false, false, "
        "now() - interval '1 day', now() - interval '1 day') RETURNING id"
    )[0]

    assert admin_sql(
        "UPDATE users SET name = 'x' WHERE id = %s RETURNING updated_at > created_at", [user_id]
    ) == [(True,)]
