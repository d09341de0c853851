import uuid
from datetime import date

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Count, Func, Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

from core import clock
from core.db import DbNow, GenRandomUUID, Index
from tasks.sorting import LIST_ORDERINGS, SORT_DUE, SORT_NEWEST, sort_ordering

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 1000

# Priority: 0 none to 3 high (schema v1.1, `chk_tasks_priority_range`).
PRIORITY_NONE, PRIORITY_LOW, PRIORITY_MEDIUM, PRIORITY_HIGH = 0, 1, 2, 3
PRIORITY_CHOICES = [
    (PRIORITY_NONE, _("None")),
    (PRIORITY_LOW, _("Low")),
    (PRIORITY_MEDIUM, _("Medium")),
    (PRIORITY_HIGH, _("High")),
]
PRIORITY_RANGE = Q(priority__gte=PRIORITY_NONE, priority__lte=PRIORITY_HIGH)

# The columns a user edits, in the edit page's order: the edit form shows them, its
# conflict table compares them, and tasks.services.task_update's UPDATE sets them.
EDITABLE_COLUMNS = ("title", "description", "completed", "due_date", "priority")

# The columns every task-shaped table shares (tasks, tasks_archive, tasks_trash), in
# table order: the moves between them (tasks/services.py), the export (without user_id) and
# generate_data copy exactly these.
TASK_COLUMNS = (
    "id",
    "user_id",
    "title",
    "description",
    "completed",
    "created_at",
    "updated_at",
    "due_date",
    "priority",
)

# The list's status tabs, as the `status` query parameter spells them.
STATUS_ALL, STATUS_ACTIVE, STATUS_COMPLETED = "all", "active", "completed"
STATUS_TODAY, STATUS_UPCOMING = "today", "upcoming"
STATUSES = (STATUS_ALL, STATUS_ACTIVE, STATUS_COMPLETED, STATUS_TODAY, STATUS_UPCOMING)

# How the task list orders its rows, by `sort` value: LIST_ORDERINGS, declared in
# tasks/sorting.py. The views order by these, and tasks/tests/test_list_indexes.py
# checks in PostgreSQL's catalog that an index serves each ordering under every
# tab's filter: a new sort order fails `make test` until it has its index
# (docs/schema.md, "List indexes").
# The columns each tab fixes by equality besides the owner: its index must
# start with user_id and these, in any order, then the ordering's columns.
# Today and Upcoming are Active with a range on due_date: the Active indexes
# with due_date first serve them (tasks/tests/test_planning_plans.py).
TAB_FILTERS = {STATUS_ALL: (), STATUS_ACTIVE: ("completed",), STATUS_COMPLETED: ("completed",)}


def list_ordering(status: str, sort: str) -> tuple:
    """The ORDER BY of a tab in a sort (tasks/sorting.py).

    Today and Upcoming are read by day, so the due date comes first there and
    the chosen sort orders each day.
    """
    ordering = sort_ordering(sort)
    if status in (STATUS_TODAY, STATUS_UPCOMING) and sort != SORT_DUE:
        ordering = ("due_date", *ordering)
    return ordering


class TaskQuerySet(models.QuerySet):
    def for_owner(self, user):
        """The one place tasks are filtered by owner; RLS guards it a second time."""
        return self.filter(user=user)

    def with_status(self, status: str, *, today: date | None = None):
        """The tasks of one tab; anything else (`all`) leaves the queryset as it is.

        `today` is the user's date (default: core/clock.py's, in the active time
        zone): Today holds open tasks due then or overdue, Upcoming open tasks
        due later. Both are a due_date range on idx_tasks_user_completed_due.
        """
        today = today or clock.today()
        if status == STATUS_ACTIVE:
            return self.filter(completed=False)
        if status == STATUS_COMPLETED:
            return self.filter(completed=True)
        if status == STATUS_TODAY:
            return self.filter(completed=False, due_date__lte=today)
        if status == STATUS_UPCOMING:
            return self.filter(completed=False, due_date__gt=today)
        return self

    def in_list_order(self, sort: str = SORT_NEWEST):
        """The list's order for `sort` (a key of LIST_ORDERINGS), ties broken by id."""
        return self.order_by(*LIST_ORDERINGS[sort])

    def for_list(self, *, status: str, sort: str, today: date):
        """One tab of the list in the chosen order (`list_ordering`)."""
        return self.with_status(status, today=today).order_by(*list_ordering(status, sort))

    def search(self, q: str):
        """Tasks whose title or description contains `q`, ignoring case; all when `q` is blank."""
        q = q.strip()
        if not q:
            return self
        return self.filter(Q(title__icontains=q) | Q(description__icontains=q))

    def status_counts(self, *, today: date) -> dict[str, int]:
        """The number of tasks in each tab, in one aggregate query (spec pattern 7)."""
        return self._status_counts(today=today)[0]

    def search_counts(self, *, today: date, ids_up_to: int) -> tuple[dict[str, int], list | None]:
        """`status_counts` of a search, and the ids of its matches when there are
        no more than `ids_up_to` of them (else None).

        A search reads every row of the user (docs/schema.md, "Search"), for its
        counts and again for its page; with the ids of a few matches the page
        reads just those rows by key instead, and the user's rows are read once.
        """
        return self._status_counts(today=today, ids_up_to=ids_up_to)

    def _status_counts(self, *, today: date, ids_up_to: int = 0):
        # Not count(id): the query then reads only (user_id, completed, due_date),
        # which idx_tasks_user_completed_due holds, so PostgreSQL counts from the
        # index alone (an index-only scan) instead of visiting the table's rows.
        # Aliases differ from field names: an alias named `completed` would shadow the field.
        open_ = Q(completed=False)
        ids = {}
        if ids_up_to:
            # No more than ids_up_to of them: with more, they are not used.
            first_ids = f"(%(expressions)s)[1:{int(ids_up_to)}]"
            uuids = ArrayField(models.UUIDField())
            ids["ids"] = Func(ArrayAgg("id"), template=first_ids, output_field=uuids)
        totals = self.aggregate(
            n_all=Count("*"),
            n_completed=Count("completed", filter=Q(completed=True)),
            n_today=Count("completed", filter=open_ & Q(due_date__lte=today)),
            n_upcoming=Count("completed", filter=open_ & Q(due_date__gt=today)),
            **ids,
        )
        few = None
        if ids_up_to and totals["n_all"] <= ids_up_to:
            few = totals["ids"] or []  # array_agg of no rows is NULL
        return {
            STATUS_ALL: totals["n_all"],
            STATUS_ACTIVE: totals["n_all"] - totals["n_completed"],
            STATUS_COMPLETED: totals["n_completed"],
            STATUS_TODAY: totals["n_today"],
            STATUS_UPCOMING: totals["n_upcoming"],
        }, few


class Task(models.Model):
    """A user's task: the spec's `tasks` table."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, db_default=GenRandomUUID(), editable=False
    )
    # The foreign key `fk_tasks_user_id` (ON DELETE/UPDATE CASCADE, in the
    # database itself) is created by migration 0002; Django leaves deletes to it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="tasks",
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, null=True, blank=True)
    completed = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_default=DbNow())
    # The database trigger moves it on every UPDATE, whatever path makes it.
    updated_at = models.DateTimeField(auto_now=True, db_default=DbNow())
    # Schema v1.1 (docs/schema.md): a calendar day, no time; "today" is the user's.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.SmallIntegerField(
        _("priority"), choices=PRIORITY_CHOICES, default=PRIORITY_NONE, db_default=PRIORITY_NONE
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        db_table = "tasks"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0), name="chk_title_not_empty"
            ),
            models.CheckConstraint(condition=PRIORITY_RANGE, name="chk_tasks_priority_range"),
        ]
        indexes = [
            # Spec index: ownership filters, cascades from users.
            models.Index(fields=["user"], name="idx_tasks_user_id"),
            # Spec index: counts per status (query pattern 7).
            models.Index(fields=["user", "completed"], name="idx_tasks_user_completed"),
            # Spec index: newest tasks across users (admin, archiving).
            models.Index(fields=["-created_at"], name="idx_tasks_created_at"),
            # Spec index: recently changed tasks (admin).
            models.Index(fields=["-updated_at"], name="idx_tasks_updated_at"),
            # Spec index: a user's active or completed tasks newest first (patterns 1-2).
            Index(
                fields=["user", "completed", "-created_at"],
                name="idx_tasks_user_completed_created",
            ),
            # One index per sort serves every tab: the All tab reads it in order,
            # newest (or, read backwards, oldest) first with id breaking ties, so a
            # page and its keyset successor read only the rows shown. `completed`
            # comes last: Active and Completed check it on each index entry while
            # reading in the same order, before any row is visited, which costs a
            # few more index entries per page (three for Completed, about a third
            # of a user's tasks) instead of a second index per sort to build at
            # 10 million rows and to update on every write (docs/schema.md, "List
            # indexes"). Without it the planner walked idx_tasks_created_at through
            # every user's rows.
            Index(
                fields=["user", "-created_at", "-id", "completed"],
                name="idx_tasks_user_created_id_completed",
            ),
            # v1.1: the due-date sort, All; then Active and Completed, whose index
            # also serves Today (due_date <= today) and Upcoming (due_date > today)
            # as one due-date range, and their counts, index-only.
            Index(fields=["user", "due_date", "-created_at", "-id"], name="idx_tasks_user_due"),
            Index(
                fields=["user", "completed", "due_date", "-created_at", "-id"],
                name="idx_tasks_user_completed_due",
            ),
            # The priority sort (highest first, then newest).
            Index(
                fields=["user", "-priority", "-created_at", "-id", "completed"],
                name="idx_tasks_user_priority_completed",
            ),
            # The title sort.
            Index(
                fields=["user", "title", "id", "completed"], name="idx_tasks_user_title_completed"
            ),
        ]

    def __str__(self):
        return self.title

    def validate_constraints(self, exclude=None):
        """Skip Django's second look at the CHECK constraints on every admin save.

        Django asks PostgreSQL about each CHECK (a savepoint and a query apiece)
        for rules the admin form's fields already apply (a title is trimmed,
        then required; the priority's choices) and PostgreSQL enforces on every
        write whatever its path. (The task pages' forms are plain forms.)
        """


# The rows a user's counts may be spread over (migration 0018 draws one per transaction).
COUNT_SLOTS = 8


class TaskCountsQuerySet(models.QuerySet):
    def version_of(self, owner) -> tuple[uuid.UUID, ...]:
        """What changes at every write to `owner`'s tasks: the version of each
        of their slots (empty: no task ever counted)."""
        # Raw SQL: read on every list view, where the ORM's query building cost
        # more than the query (bench/cpu.py).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT version FROM task_counts WHERE user_id = %s ORDER BY slot", [owner.pk]
            )
            return tuple(version for (version,) in cursor.fetchall())

    def tabs(self, owner, *, today: date) -> dict[str, int]:
        """The number of `owner`'s tasks in each tab, without counting them all. One query.

        All and Completed are the sums of the owner's rows of `task_counts`. Today and
        Upcoming depend on the date, so they are counted, but over the owner's
        open tasks with a due date only: one range of idx_tasks_user_completed_due,
        read index-only (a third of a heavy user's entries). The same figures as
        `Task.objects.for_owner(owner).status_counts(today=today)`, which counts
        every task (it serves a search's counts).
        """
        # Raw SQL: one round trip for a row of one table beside an aggregate of
        # another, which the ORM would make two queries.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT coalesce(c.total, 0), coalesce(c.completed, 0), d.today, d.upcoming
                FROM (
                    SELECT count(*) FILTER (WHERE due_date <= %(today)s) AS today,
                           count(*) FILTER (WHERE due_date > %(today)s) AS upcoming
                    FROM tasks
                    WHERE user_id = %(owner)s AND completed = false AND due_date IS NOT NULL
                ) AS d
                CROSS JOIN (
                    SELECT sum(total) AS total, sum(completed) AS completed
                    FROM task_counts WHERE user_id = %(owner)s
                ) AS c
                """,
                {"owner": owner.pk, "today": today},
            )
            total, completed, n_today, n_upcoming = cursor.fetchone()
        return {
            STATUS_ALL: total,
            STATUS_ACTIVE: total - completed,
            STATUS_COMPLETED: completed,
            STATUS_TODAY: n_today,
            STATUS_UPCOMING: n_upcoming,
        }


class TaskCounts(models.Model):
    """How many tasks a user has, and how many of them are completed: `task_counts`.

    Kept by the database, not by the application: statement-level triggers on
    `tasks` (migration 0016) add each INSERT, UPDATE, DELETE and TRUNCATE to the
    rows of the users it touched, whatever wrote it (services, the admin, the
    import, archive_tasks, generate_data, plain SQL). A user's figures are the
    sum of their rows, one per slot a transaction wrote in (migration 0018: two
    requests of one user writing at once rarely wait for each other). A user
    without rows has no tasks. Read-only for the application role
    (core/grants.py), and only the user's own rows (row-level security), so the
    list shows its tab counts without counting the user's tasks
    (`TaskCounts.objects.tabs`).
    """

    pk = models.CompositePrimaryKey("user_id", "slot")
    # No foreign key (migration 0016 says why); a trigger on users deletes the rows.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    slot = models.SmallIntegerField(default=0, db_default=0)
    total = models.IntegerField(default=0, db_default=0)
    completed = models.IntegerField(default=0, db_default=0)
    # A new random value at every write to the slot (migration 0017): the
    # list's rendered pages are kept under the user's versions (tasks/page_cache.py).
    # Random, not a counter, so that no value comes back, even after a restore.
    version = models.UUIDField(db_default=GenRandomUUID(), editable=False)

    objects = TaskCountsQuerySet.as_manager()

    class Meta:
        db_table = "task_counts"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot__gte=0, slot__lt=COUNT_SLOTS), name="chk_task_counts_slot"
            )
        ]

    def __str__(self):
        return f"{self.completed}/{self.total}"


class ArchivedTask(models.Model):
    """A completed task moved out of `tasks` by `archive_tasks`: the spec's `tasks_archive`.

    The same columns as `tasks`, values kept as they were (see tasks/services.py).
    """

    id = models.UUIDField(primary_key=True, editable=False)
    # `fk_tasks_archive_user_id` (ON DELETE/UPDATE CASCADE) comes from migration 0005.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="archived_tasks",
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, null=True, blank=True)
    completed = models.BooleanField(default=True, db_default=True)
    created_at = models.DateTimeField(db_default=DbNow())
    updated_at = models.DateTimeField(db_default=DbNow())
    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.SmallIntegerField(
        _("priority"), choices=PRIORITY_CHOICES, default=PRIORITY_NONE, db_default=PRIORITY_NONE
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        db_table = "tasks_archive"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=PRIORITY_RANGE, name="chk_tasks_archive_priority_range"
            ),
        ]
        indexes = [
            # A user's archive page, newest first; also the cascade from users.
            models.Index(fields=["user", "-created_at"], name="idx_tasks_archive_user_created"),
        ]

    def __str__(self):
        return self.title


class TrashedTask(models.Model):
    """A deleted task, kept 30 days for Undo and the export: `tasks_trash`.

    The columns of `tasks`, values as they were, plus when it was deleted;
    `purge_trash` removes rows older than 30 days. Under the same row-level
    security as `tasks` (migration 0007).
    """

    id = models.UUIDField(primary_key=True, editable=False)
    # `fk_tasks_trash_user_id` (ON DELETE/UPDATE CASCADE) comes from migration 0007.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="trashed_tasks",
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, null=True, blank=True)
    completed = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(db_default=DbNow())
    updated_at = models.DateTimeField(db_default=DbNow())
    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.SmallIntegerField(
        _("priority"), choices=PRIORITY_CHOICES, default=PRIORITY_NONE, db_default=PRIORITY_NONE
    )
    deleted_at = models.DateTimeField(db_default=DbNow())

    objects = TaskQuerySet.as_manager()

    class Meta:
        db_table = "tasks_trash"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=PRIORITY_RANGE, name="chk_tasks_trash_priority_range"),
        ]
        indexes = [
            # A user's trash in the export, newest first; also the cascade from users.
            models.Index(fields=["user", "-created_at"], name="idx_tasks_trash_user_created"),
            # purge_trash: rows deleted more than 30 days ago, across users.
            models.Index(fields=["deleted_at"], name="idx_tasks_trash_deleted_at"),
        ]

    def __str__(self):
        return self.title


class SubmitToken(models.Model):
    """A create form's one-time token, spent by the first post that carries it.

    Its own table rather than a column of `tasks`: a token outlives the task it
    created (a delete, then the back button and "Add" again must not bring the
    task back), one token may stand for several tasks (an import), and `tasks`
    keeps exactly the spec's columns (export, archive). The token is a random
    UUID made by the server (uuid4, 122 random bits), so it is the primary key;
    another user can only collide with it by knowing it, and then only their own
    post is affected (RLS hides the row, see tasks/services.py).
    """

    id = models.UUIDField(primary_key=True, editable=False)
    # `fk_submit_tokens_user_id` (ON DELETE/UPDATE CASCADE) comes from migration 0011.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # SHA-256 of what the first post asked for: a second post of the same token
    # asking for something else (the back button, then new text) is a new request.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_default=DbNow())

    class Meta:
        db_table = "submit_tokens"
        indexes = [
            # Forgetting a user's old tokens (tasks/services.py), and the cascade from users.
            models.Index(fields=["user", "created_at"], name="idx_submit_tokens_user_created"),
        ]

    def __str__(self):
        return str(self.id)
