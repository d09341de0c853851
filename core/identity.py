"""The signing side of the database identity (core/migrations/0001_database_identity.py).

The application proves to PostgreSQL who a transaction acts for with a token:

    <key id>.<expiry>.<kind>.<mac>.<value>
    mac = HMAC-SHA256(key, "<key id>.<expiry>.<kind>.<value>")

The key is derived from SECRET_KEY, so only a holder of SECRET_KEY can mint one;
PostgreSQL checks it with the same key, which the administrative role keeps in
app.identity_keys (unreadable by the application role). `write_keys()` puts the
keys of SECRET_KEY and SECRET_KEY_FALLBACKS there (after every migrate, and with
`manage.py set_identity_keys`), and removes every other key: rotating
SECRET_KEY rotates this key the way Django rotates its own signatures.
"""

import functools
import hashlib
import hmac
from time import time as _wall_clock  # immune to tests that mock time.time

from django.conf import settings

# A token is minted per transaction; it only needs to outlive that transaction.
# The margin covers clock skew between the application and database servers.
TOKEN_TTL_SECONDS = 300
USER = "u"
EMAIL = "e"
_DERIVATION = b"todo_site database identity v1"
_BLOCK = 64  # SHA-256's block size: HMAC pads the key to it


@functools.lru_cache(maxsize=8)
def derive_key(secret: str) -> tuple[str, bytes]:
    """(key id, key) for a SECRET_KEY; the id names the key without revealing it."""
    key = hmac.new(secret.encode(), _DERIVATION, hashlib.sha256).digest()
    return hashlib.sha256(b"key id " + key).hexdigest()[:16], key


def make_token(kind: str, value: str, *, secret: str | None = None, now: float | None = None):
    """A token for `value` of `kind` (USER or EMAIL), valid for TOKEN_TTL_SECONDS."""
    key_id, key = derive_key(secret or settings.SECRET_KEY)
    expiry = int(now if now is not None else _wall_clock()) + TOKEN_TTL_SECONDS
    signed = f"{key_id}.{expiry}.{kind}.{value}"
    mac = hmac.new(key, signed.encode(), hashlib.sha256).hexdigest()
    return f"{key_id}.{expiry}.{kind}.{mac}.{value}"


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer blocks (RFC 2104), what PostgreSQL's sha256() needs."""
    block = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def current_secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def write_keys(connection) -> tuple[int, int]:
    """Make app.identity_keys hold exactly the keys of the current secrets.

    Runs as the administrative role; returns (keys added, keys removed).
    """
    rows = {}
    for secret in current_secrets():
        key_id, key = derive_key(secret)
        rows[key_id] = _pads(key)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM app.identity_keys WHERE key_id <> ALL(%s)", [sorted(rows)])
        removed = cursor.rowcount
        added = 0
        for key_id, (inner, outer) in rows.items():
            cursor.execute(
                "INSERT INTO app.identity_keys (key_id, inner_pad, outer_pad) "
                "VALUES (%s, %s, %s) ON CONFLICT (key_id) DO NOTHING",
                [key_id, inner, outer],
            )
            added += cursor.rowcount
    return added, removed
