# app.token_claim() parses the token with split_part and two unbounded character
# classes instead of one regular expression with bounded repetitions ({16},
# {64}): PostgreSQL's regex engine runs those slowly (a few times the cost of
# the whole list query, measured with bench/test_identity_cost.py), and the
# function runs once per statement. Same checks, same results; the reverse
# restores 0001's definition.

from importlib import import_module

from django.db import migrations

FORMER = import_module("core.migrations.0001_database_identity").CLAIM_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)

CLAIM_FUNCTION = r"""
CREATE OR REPLACE FUNCTION app.token_claim(kind text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    token text := pg_catalog.current_setting('app.identity', true);
    kid text := pg_catalog.split_part(token, '.', 1);
    expiry text := pg_catalog.split_part(token, '.', 2);
    mac text := pg_catalog.split_part(token, '.', 4);
    value text;
    inner_block bytea;
    outer_block bytea;
BEGIN
    IF token IS NULL OR pg_catalog.split_part(token, '.', 3) <> kind
       OR pg_catalog.length(kid) <> 16
       OR pg_catalog.length(expiry) NOT BETWEEN 1 AND 11 OR expiry !~ '^[0-9]+$'
       OR pg_catalog.length(mac) <> 64 OR mac !~ '^[0-9a-f]+$' THEN
        RETURN NULL;
    END IF;
    -- Everything after the fourth dot (an e-mail address may contain dots).
    value := pg_catalog.substr(token, pg_catalog.length(kid) + pg_catalog.length(expiry)
                               + pg_catalog.length(kind) + pg_catalog.length(mac) + 5);
    IF value = '' OR pg_catalog.to_timestamp(expiry::bigint) <= pg_catalog.statement_timestamp()
    THEN
        RETURN NULL;
    END IF;
    SELECT k.inner_pad, k.outer_pad INTO inner_block, outer_block
    FROM app.identity_keys k WHERE k.key_id = kid;
    IF NOT FOUND OR pg_catalog.sha256(outer_block || pg_catalog.sha256(inner_block
           || pg_catalog.convert_to(kid || '.' || expiry || '.' || kind || '.' || value, 'UTF8')))
       <> pg_catalog.decode(mac, 'hex') THEN
        RETURN NULL;
    END IF;
    RETURN value;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0004_invalidate_sessions")]

    operations = [migrations.RunSQL(sql=[CLAIM_FUNCTION], reverse_sql=[FORMER])]
