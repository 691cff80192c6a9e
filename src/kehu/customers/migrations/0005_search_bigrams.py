"""An index of the two-character windows (bigrams) of every customer name (docs/search.md).

A trigram index cannot answer a text of two characters (``王伟``, ``银行``), so such a search read the
name of every customer (``name LIKE '%王伟%'``, over a second at a million rows). This migration adds an
index that lists, for every bigram, the customers whose name contains it:

* SQLite: a contentless FTS5 table ``customers_customer_bigram`` with one row per customer (rowid = id)
  whose only column holds the name's bigrams, each written as the hex of its UTF-8 bytes after ASCII
  lower-casing (``王伟`` -> ``E78E8BE4BC9F``; ``Ab`` -> ``6162``). Hex is plain letters and digits, so
  FTS5's ``ascii`` tokenizer takes every bigram as one term whatever its characters (Chinese, Latin,
  digits, punctuation, quotes). ASCII lower-casing is what SQLite's ``LIKE`` ignores, so the term of a
  two-character text lists exactly the names that ``LIKE`` finds. Triggers keep it, like the trigram
  table of 0003: services, bulk inserts, raw ``executemany``, the importer. The bigrams are computed in
  SQL (``json_each`` over an array as long as the name supplies the positions; triggers allow no CTE),
  so no application function has to be registered on a connection for a write to work.
* PostgreSQL: an IMMUTABLE SQL function ``kehu_name_bigrams(text) -> text[]`` and a GIN index on
  ``kehu_name_bigrams(name)``; ``kehu_name_bigrams(name) @> ARRAY['王伟']`` is answered from it. An
  expression index follows every insert and update by itself.

Both fill themselves from the customers already there, and both are dropped on the way back.
"""

from django.db import migrations

TABLE = "customers_customer"
BIGRAM = "customers_customer_bigram"
PG_FUNCTION = "kehu_name_bigrams"
PG_INDEX = "customers_name_bigrams"


def bigrams_sql(column: str) -> str:
    """SQLite: the bigrams of ``column`` as space-separated hex terms (NULL for a name of one character).

    ``json_each`` over ``[0,0,...,0]`` (one element more than the name has characters) gives the keys
    0..length; every key below length - 1 starts a bigram.
    """
    return (f"(SELECT group_concat(hex(lower(substr({column}, key + 1, 2))), ' ') "
            f"FROM json_each('[' || replace(hex(zeroblob(length({column}))), '00', '0,') || '0]') "
            f"WHERE key < length({column}) - 1)")


SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {BIGRAM} USING fts5(grams, content='', tokenize='ascii')",
    f"CREATE TRIGGER IF NOT EXISTS {BIGRAM}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {BIGRAM}(rowid, grams) VALUES (new.id, {bigrams_sql('new.name')}); END",
    # A contentless table forgets a row only when told the terms it was indexed with: they are the
    # bigrams of the old name, computed the same way.
    f"CREATE TRIGGER IF NOT EXISTS {BIGRAM}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {BIGRAM}({BIGRAM}, rowid, grams) VALUES ('delete', old.id, {bigrams_sql('old.name')}); END",
    f"CREATE TRIGGER IF NOT EXISTS {BIGRAM}_au AFTER UPDATE OF name ON {TABLE} BEGIN "
    f"INSERT INTO {BIGRAM}({BIGRAM}, rowid, grams) VALUES ('delete', old.id, {bigrams_sql('old.name')}); "
    f"INSERT INTO {BIGRAM}(rowid, grams) VALUES (new.id, {bigrams_sql('new.name')}); END",
    # The customers that existed before this migration.
    f"INSERT INTO {BIGRAM}(rowid, grams) SELECT id, {bigrams_sql('name')} FROM {TABLE}",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {BIGRAM}_ai",
    f"DROP TRIGGER IF EXISTS {BIGRAM}_ad",
    f"DROP TRIGGER IF EXISTS {BIGRAM}_au",
    f"DROP TABLE IF EXISTS {BIGRAM}",
]

PG_FORWARD = [
    # Distinct bigrams, so a name's array holds each once; IMMUTABLE so that it can be indexed. A
    # function with FROM is never inlined, so the index expression and the query's stay the same call.
    # COST and PARALLEL RESTRICTED tell the planner what a call costs when it is not answered from the
    # index: ~10 us a row (an executor per call), not the 0.25 of a default function. With the default the
    # planner walked the primary key in parallel workers, calling it on 16,000 rows for a bigram of 1,400
    # matches (270-300 ms); with these it takes the index for such texts and walks the key only for
    # frequent ones (measured over 200 two-character texts at 200,000 customers: worst 46 ms, docs/search.md).
    f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}(text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
    f"PARALLEL RESTRICTED COST 1000 "
    f"AS $$ SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{{}}') "
    f"FROM generate_series(1, char_length($1) - 1) AS i $$",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {TABLE} USING gin ({PG_FUNCTION}(name))",
]
PG_BACKWARD = [
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    f"DROP FUNCTION IF EXISTS {PG_FUNCTION}(text)",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_FORWARD if vendor == "sqlite" else PG_FORWARD if vendor == "postgresql" else []:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_BACKWARD if vendor == "sqlite" else PG_BACKWARD if vendor == "postgresql" else []:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_customer_pi_restricted")]
    operations = [migrations.RunPython(forward, backward)]
