"""Django's database sessions, except that a row in django_session is useless without the cookie.

The row's session_key column holds a keyed hash of the session key (HMAC-SHA256
under SECRET_KEY, 40 hex digits, the column's width) instead of the key itself,
so reading django_session (an injected query, a stolen application-role
password, a backup) yields no cookie to replay: the key cannot be recovered from
the hash, and a row planted for a made-up key cannot be made to match without
SECRET_KEY. Changing SECRET_KEY therefore signs everyone out.
core/migrations/0004_invalidate_sessions.py removed the rows stored the old way.

A save that repeats the last one (the same key and data) is skipped: the
request's transaction saves a changed session before it commits
(core.middleware.RLSContextMiddleware), so a request's writes and its session
(a bulk change's Undo record) take one commit, and SessionMiddleware's save
after that has nothing to add.

A save leaves the row's expire_date as it is unless it moves back or by a day
or more (core/session_expiry.py moves it daily): expire_date is indexed, and an
UPDATE that changes no indexed column is a heap-only (HOT) update, which adds
no index entries. An Undo record kept in the session then rewrites session_data alone.
"""

import logging
from datetime import timedelta

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.session_expiry import REFRESH_EVERY

SALT = "core.sessions.stored-key"


def stored_key(session_key: str) -> str:
    """The django_session.session_key under which the session with this cookie is kept."""
    return salted_hmac(SALT, session_key, algorithm="sha256").hexdigest()[:40]


class SessionStore(db.SessionStore):
    _saved = None  # (session key, serialized data) as last saved by this store
    _stored_expiry = None  # the row's expire_date as last read or written

    def save(self, must_create=False):
        session = self._get_session(no_load=must_create)
        data = self.serializer().dumps(session)
        if must_create or self.session_key is None:
            super().save(must_create)
        elif self._saved != (self.session_key, data):
            self._update(session)
        self._saved = (self.session_key, data)

    def _update(self, session) -> None:
        """Django's save of an existing session, as one UPDATE without its savepoint
        (two more round trips inside the request's transaction). No row (deleted
        meanwhile) raises UpdateError, as Django's does, and leaves the transaction
        usable: a count of 0 is not a database error. Raw SQL, as a task's edit:
        the ORM's UPDATE cost more CPU to build than the database spends on it."""
        sql, params = "UPDATE django_session SET session_data = %s", [self.encode(session)]
        expiry, stored = self.get_expiry_date(), self._stored_expiry
        if stored is None or expiry < stored or expiry - stored >= timedelta(seconds=REFRESH_EVERY):
            sql, params = sql + ", expire_date = %s", [*params, expiry]
            stored = expiry
        with connection.cursor() as cursor:
            cursor.execute(sql + " WHERE session_key = %s", [*params, stored_key(self.session_key)])
            if not cursor.rowcount:
                raise UpdateError
        self._stored_expiry = stored

    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        try:
            row = self.model.objects.get(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
            self._stored_expiry = row.expire_date
            return row
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None

    async def _aget_session_from_db(self):
        if self.session_key is None:
            return None
        try:
            row = await self.model.objects.aget(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
            self._stored_expiry = row.expire_date
            return row
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None

    def exists(self, session_key):
        return super().exists(stored_key(session_key))

    async def aexists(self, session_key):
        return await super().aexists(stored_key(session_key))

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.session_key = stored_key(obj.session_key)
        return obj

    async def acreate_model_instance(self, data):
        obj = await super().acreate_model_instance(data)
        obj.session_key = stored_key(obj.session_key)
        return obj

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is not None:
            super().delete(stored_key(session_key))

    async def adelete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is not None:
            await super().adelete(stored_key(session_key))
