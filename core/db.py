"""Database-side defaults shared by the models (the schema spec's column defaults)."""

from django.db import models


class GenRandomUUID(models.Func):
    """`gen_random_uuid()`: ids for rows inserted with plain SQL."""

    function = "gen_random_uuid"
    template = "%(function)s()"
    output_field = models.UUIDField()


class DbNow(models.Func):
    """`now()`: the transaction's start time, as the spec's defaults use."""

    function = "now"
    template = "%(function)s()"
    output_field = models.DateTimeField()


class Index(models.Index):
    """An index whose name may use PostgreSQL's 63 characters.

    Django caps index names at 30 (an Oracle limit); the spec names
    `idx_tasks_user_completed_created`, which is 32.
    """

    max_name_length = 63
