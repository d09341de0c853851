"""The project-local cluster runs as devtools/localdb.py starts it."""

import pytest
from django.db import connection

from devtools import localdb


@pytest.mark.django_db
def test_the_local_cluster_keeps_a_quarter_of_memory_in_shared_buffers():
    # initdb's 128 MB would hold little of the benchmark's 10-million-task database.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setting::bigint * current_setting('block_size')::bigint / 1048576"
            " FROM pg_settings WHERE name = 'shared_buffers'"
        )
        assert cursor.fetchone()[0] == localdb.shared_buffers_mb()
