"""Full-text search index for customer lookup at scale, SQLite only (docs/search.md).

An external-content FTS5 table over ``name``, ``name_pinyin`` and ``name_initials`` with the
``trigram`` tokenizer: every three-character window of a name is a term, so a substring of three or
more characters (Chinese or pinyin) is found through the index instead of a scan of the customer
table. Triggers keep it in step with every insert, update and delete, whether it comes from the
services, a bulk insert or raw SQL. PostgreSQL is left unchanged: migration 0002 gave it pg_trgm.
"""

from django.db import migrations

TABLE = "customers_customer"
FTS = "customers_customer_fts"

FORWARD = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    f"name, name_pinyin, name_initials, content='{TABLE}', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, name, name_pinyin, name_initials) "
    f"VALUES (new.id, new.name, new.name_pinyin, new.name_initials); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name, name_pinyin, name_initials) "
    f"VALUES ('delete', old.id, old.name, old.name_pinyin, old.name_initials); END",
    # Only a change of an indexed column touches the index; status or manager changes cost nothing.
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF name, name_pinyin, name_initials ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name, name_pinyin, name_initials) "
    f"VALUES ('delete', old.id, old.name, old.name_pinyin, old.name_initials); "
    f"INSERT INTO {FTS}(rowid, name, name_pinyin, name_initials) "
    f"VALUES (new.id, new.name, new.name_pinyin, new.name_initials); END",
    # Customers that existed before this migration.
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search_indexes")]
    operations = [migrations.RunPython(forward, backward)]
