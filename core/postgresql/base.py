"""Django's PostgreSQL backend, except that a request's COMMIT is answered while
its response is being built.

A sync worker that commits a change waits for PostgreSQL's WAL flush (about
0.4 ms under load, docs/scaling.md) and serves no one meanwhile. So the
request's transaction (core.middleware.RLSContextMiddleware) asks for
`defer_commit_wait`: its COMMIT is sent and the worker goes on with the
middleware's response work, and core.middleware.AwaitCommitMiddleware waits
for COMMIT's answer before the response leaves. A response is still never sent
for a change that did not commit: a failed COMMIT becomes a 500 there.

Anything else that uses the connection first waits for the answer too, and a
transaction with on_commit callbacks commits the ordinary way, so they run
only after a COMMIT that succeeded.
"""

from contextlib import contextmanager

from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction
from psycopg import errors, generators, pq

IDLE = pq.TransactionStatus.IDLE


class DatabaseWrapper(base.DatabaseWrapper):
    _defer_commit = False  # the next COMMIT may be answered later
    _commit_sent = False  # a COMMIT was sent and its answer not read yet

    @contextmanager
    def defer_commit_wait(self):
        """Within this block, the outermost atomic's COMMIT is sent without waiting
        for its answer; `wait_commit()` reads it."""
        self._defer_commit = True
        try:
            yield
        finally:
            self._defer_commit = False

    def wait_commit(self) -> None:
        """Read the answer to a COMMIT sent under `defer_commit_wait`; raise its error."""
        if not self._commit_sent:
            return
        self._commit_sent = False
        with self.wrap_database_errors:
            pgconn = self.connection.pgconn
            try:
                results = self.connection.wait(generators.fetch_many(pgconn))
            finally:
                # Answered, committed or not: the transaction is over, and
                # psycopg takes the autocommit Django has recorded meanwhile.
                if pgconn.transaction_status == IDLE:
                    self.connection.autocommit = self.autocommit
            failed = [r for r in results if r.status != pq.ExecStatus.COMMAND_OK]
            if failed:
                raise errors.error_from_result(failed[0], encoding=self.connection.info.encoding)

    def _commit(self):
        if not self._defer_commit or self.run_on_commit or self.connection is None:
            self.wait_commit()
            return super()._commit()
        pgconn = self.connection.pgconn
        if pgconn.transaction_status == IDLE:
            return None
        with debug_transaction(self, "COMMIT"), self.wrap_database_errors:
            pgconn.send_query(b"COMMIT")
            self.connection.wait(generators.send(pgconn))
        self._commit_sent = True
        return None

    def _set_autocommit(self, autocommit):
        if self._commit_sent and autocommit:
            # Right after the COMMIT (atomic's exit): psycopg refuses the change
            # until the answer is read, so wait_commit() makes it then.
            return
        self.wait_commit()
        super()._set_autocommit(autocommit)

    def _cursor(self, name=None):
        self.wait_commit()
        return super()._cursor(name)

    def _rollback(self):
        self.wait_commit()
        return super()._rollback()

    def _close(self):
        try:
            self.wait_commit()
        finally:
            super()._close()

    def is_usable(self):
        try:
            self.wait_commit()
        except self.Database.Error:
            return False
        return super().is_usable()
