"""Shared fixtures.

Tests talk to the project-local PostgreSQL (or DATABASE_URL) as in production:
the test database is created and migrated by the administrative role, and every
query of the site runs as the application role, so row-level security is really
enforced in tests (a superuser or the table owner would pass every RLS test
without proving anything).
"""

import pytest
from django.db import connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.tests.factories import PASSWORD, UserFactory
from core.rls import user_context
from core.tests.helpers import RLS_MIDDLEWARE, TEST_RLS_MIDDLEWARE

# Property-based tests (hypothesis) run a fixed, derandomised set of examples, so
# `make test` takes the same, short time every run and a failure reproduces.
# Each example runs in its own rolled-back savepoint (core/tests/strategies.py),
# which is why function-scoped fixtures may be shared between examples.
hypothesis_settings.register_profile(
    "todo",
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("todo")


def _use_credentials_of(target: str, source: str) -> tuple[str, str]:
    """Point alias `target` at the role of alias `source`; return the old credentials."""
    target_settings = connections[target].settings_dict
    old = target_settings["USER"], target_settings["PASSWORD"]
    target_settings["USER"] = connections[source].settings_dict["USER"]
    target_settings["PASSWORD"] = connections[source].settings_dict["PASSWORD"]
    connections[target].close()
    return old


def _restore_credentials(alias: str, credentials: tuple[str, str]) -> None:
    connections.close_all()
    connections[alias].settings_dict["USER"], connections[alias].settings_dict["PASSWORD"] = (
        credentials
    )


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_modify_db_settings,  # under pytest-xdist: a test database per process
):
    """Create and migrate the test database as the administrative role.

    Both aliases are always set up, so "admin" can never reach the development
    database from a test; "admin" shares the test database under its own role.
    """
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        app_credentials = _use_credentials_of("default", "admin")
        try:
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases={"default", "admin"},
                serialized_aliases=set(),
                keepdb=django_db_keepdb,
            )
        finally:
            _restore_credentials("default", app_credentials)
        # A throwaway database need not wait for each commit to reach the disk;
        # thousands of test commits would (sessions opened from now on).
        with connections["admin"].cursor() as cursor:
            name = connections["admin"].ops.quote_name(connections["admin"].settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        connections.close_all()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            app_credentials = _use_credentials_of("default", "admin")
            try:
                connections.close_all()
                teardown_databases(db_cfg, verbosity=verbosity)
            finally:
                _restore_credentials("default", app_credentials)


# Every table that references `users`, however indirectly (the two-factor devices,
# tasks, the archive, ...), read from the catalog, deepest first.
_TABLES_REFERENCING_USERS = """
    WITH RECURSIVE refs(rel, depth) AS (
        SELECT 'users'::regclass, 0
        UNION ALL
        SELECT c.conrelid, refs.depth + 1 FROM pg_constraint c JOIN refs ON c.confrelid = refs.rel
        WHERE c.contype = 'f' AND c.conrelid <> c.confrelid AND refs.depth < 10
    )
    SELECT rel::regclass::text FROM refs GROUP BY rel ORDER BY max(depth) DESC, 1
"""
# User data that does not reference `users` by a foreign key.
UNREFERENCED_USER_DATA_TABLES = ["django_session", "throttle_events", "task_counts"]


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Database access without a wrapping test transaction.

    For tests that must see real commits: requests' own transactions, several
    connections, pooled connections. Afterwards the administrative role deletes
    every user's data. DELETE, not TRUNCATE: a test leaves a few rows, and
    TRUNCATE's cost is per table (new files, synced at commit): half a second
    for these tables, against milliseconds.
    """
    with django_db_blocker.unblock():
        yield
        connections.close_all()
        with transaction.atomic(using="admin"), connections["admin"].cursor() as cursor:
            cursor.execute(_TABLES_REFERENCING_USERS)
            tables = [name for (name,) in cursor.fetchall()]
            existing = set(connections["admin"].introspection.table_names(cursor))
            tables += [t for t in UNREFERENCED_USER_DATA_TABLES if t in existing]
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (catalog names)
        connections.close_all()


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com", name="Alice")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.com", name="Bob")


@pytest.fixture
def admin_people(committed):
    """For the Django admin: (alice, bob, staff, {"A1": alice's task, "B1": bob's}).

    Only the administrative role may make someone staff (tasks migration 0003).
    """
    from accounts.models import User
    from tasks.tests.factories import TaskFactory

    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    tasks = {"A1": TaskFactory(user=alice, title="A1"), "B1": TaskFactory(user=bob, title="B1")}
    staff = User.objects.db_manager("admin").create_superuser("staff@example.com", PASSWORD)
    return alice, bob, staff, tasks


@pytest.fixture
def as_user():
    """`with as_user(alice):` run queries in the test with alice's RLS context."""
    return lambda user: user_context(user.pk)


@pytest.fixture(autouse=True)
def _rls_middleware_for_tests(settings):
    """Requests made inside a test's transaction leave no RLS user behind (helpers.py)."""
    settings.MIDDLEWARE = [
        TEST_RLS_MIDDLEWARE if name == RLS_MIDDLEWARE else name for name in settings.MIDDLEWARE
    ]


@pytest.fixture
def uncached_pages(settings):
    """Every list request renders its page (tasks/page_cache.py keeps none): for tests
    that read a page's context or its queries when they visit it again."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }


@pytest.fixture
def alice_client(client, alice):
    """The test client, signed in as alice."""
    client.force_login(alice)
    return client


@pytest.fixture
def make_tasks():
    """`make_tasks(alice, 3, completed=True)`: that many tasks, inserted as their owner.

    Titles are "Task 1", "Task 2", ... unless given. One INSERT for all of them.
    """
    from tasks.models import Task

    def make(user, n=1, **kwargs):
        with user_context(user.pk):
            return Task.objects.bulk_create(
                [Task(user=user, **{"title": f"Task {i}", **kwargs}) for i in range(1, n + 1)]
            )

    return make
