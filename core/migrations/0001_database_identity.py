# The database identity: who the request acts for reaches PostgreSQL as a
# token that the application role cannot mint, verified inside PostgreSQL.
#
# Token (core/rls.py writes it with set_config('app.identity', token, true)):
#     <key id>.<expiry>.<kind>.<mac>.<value>
#   key id  16 hex digits naming the key in app.identity_keys
#   expiry  Unix seconds; the token is refused from then on
#   kind    'u': value is a user id; 'e': value is an e-mail address (sign-in,
#           sign-up and password reset look one user up by e-mail before anyone
#           is signed in)
#   mac     HMAC-SHA256(key, '<key id>.<expiry>.<kind>.<value>'), hex
# The key is derived from SECRET_KEY by the application (core/identity.py) and
# written here by the administrative role after every migrate (and by
# `manage.py set_identity_keys`). The application role can neither read nor
# write app.identity_keys, so it can verify nothing itself and mint nothing:
# setting app.identity (or the former app.user_id) to anything it made up gives
# NULL, which no policy matches.
#
# - app.identity_keys stores each key as HMAC's two padded blocks (key XOR ipad,
#   key XOR opad, 64 bytes each), so PostgreSQL's built-in sha256() computes the
#   HMAC (RFC 2104) without an extension.
# - app.token_claim(kind) verifies the transaction's token; SECURITY DEFINER,
#   owned by the administrative role (the only reader of the keys), with a fixed
#   search_path. The expiry is compared with statement_timestamp(), so a token
#   copied out of one transaction is useless in another once it expires.
# - app.current_user_id() and app.current_email() are the claims the policies
#   read, each through a scalar sub-select (an InitPlan: once per statement, and
#   the user_id indexes stay usable).

from django.db import migrations

CLAIM_FUNCTION = r"""
CREATE FUNCTION app.token_claim(kind text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parts text[];
    inner_block bytea;
    outer_block bytea;
BEGIN
    parts := pg_catalog.regexp_match(
        pg_catalog.current_setting('app.identity', true),
        '^([0-9a-f]{16})\.([0-9]{1,11})\.([a-z])\.([0-9a-f]{64})\.(.+)$'
    );
    IF parts IS NULL OR parts[3] <> kind
       OR pg_catalog.to_timestamp(parts[2]::bigint) <= pg_catalog.statement_timestamp() THEN
        RETURN NULL;
    END IF;
    SELECT k.inner_pad, k.outer_pad INTO inner_block, outer_block
    FROM app.identity_keys k WHERE k.key_id = parts[1];
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.sha256(outer_block || pg_catalog.sha256(inner_block || pg_catalog.convert_to(
           parts[1] || '.' || parts[2] || '.' || parts[3] || '.' || parts[5], 'UTF8')))
       <> pg_catalog.decode(parts[4], 'hex') THEN
        RETURN NULL;
    END IF;
    RETURN parts[5];
END
$$
"""

CURRENT_USER_ID = """
CREATE OR REPLACE FUNCTION app.current_user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT app.token_claim('u')::uuid $$
"""

# What tasks/0003_row_level_security created; restored by the reverse.
FORMER_CURRENT_USER_ID = """
CREATE OR REPLACE FUNCTION app.current_user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
RESET search_path
AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$
"""

CURRENT_EMAIL = """
CREATE FUNCTION app.current_email() RETURNS text
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT app.token_claim('e') $$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0005_tasks_archive_foreign_key_and_rls"),
        ("accounts", "0003_create_throttle_events"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                CREATE TABLE app.identity_keys (
                    key_id text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
                    inner_pad bytea NOT NULL CHECK (length(inner_pad) = 64),
                    outer_pad bytea NOT NULL CHECK (length(outer_pad) = 64),
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "REVOKE ALL ON app.identity_keys FROM PUBLIC",
                CLAIM_FUNCTION,
                CURRENT_USER_ID,
                CURRENT_EMAIL,
            ],
            reverse_sql=[
                "DROP FUNCTION app.current_email()",
                FORMER_CURRENT_USER_ID,
                "DROP FUNCTION app.token_claim(text)",
                "DROP TABLE app.identity_keys",
            ],
        ),
    ]
