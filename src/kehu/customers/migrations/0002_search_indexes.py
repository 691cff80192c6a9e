"""Search indexes for customer lookup at scale, PostgreSQL only.

``customer_search`` filters with ``name LIKE '%q%'`` (substring), ``name_pinyin``/``name_initials``
LIKE '%q%' and ``uscc LIKE 'q%'`` (prefix). On PostgreSQL a pg_trgm GIN index serves the substring
filters and a ``text_pattern_ops`` btree index serves the prefix filters whatever the collation.
SQLite is left unchanged by this migration.
"""

from django.db import migrations

TABLE = "customers_customer"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS customers_name_trgm ON {TABLE} USING gin (name gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS customers_pinyin_trgm ON {TABLE} USING gin (name_pinyin gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS customers_initials_trgm ON {TABLE} USING gin (name_initials gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS customers_uscc_prefix ON {TABLE} (uscc text_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS customers_name_trgm",
    "DROP INDEX IF EXISTS customers_pinyin_trgm",
    "DROP INDEX IF EXISTS customers_initials_trgm",
    "DROP INDEX IF EXISTS customers_uscc_prefix",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
