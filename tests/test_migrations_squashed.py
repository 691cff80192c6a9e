"""The squashed migrations (docs/migrations.md) against the chains they replace.

A fresh database is built by the squashed migrations; a database that ran the old chain, or part of it, goes on
with the old files. The cheap checks run on every suite: every old migration is replaced by one squash (but the
few documented ones), the squashes build the old chain's migration state model by model, and a fresh database
has the search objects. The full check builds one database with each set, in subprocesses, and compares schema
and rows: on SQLite always, on PostgreSQL when the suite runs there.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from kehu.backup.services import _applied_as_django_counts, _code_migrations

# The old migrations no squash replaces (docs/migrations.md, "What is not squashed").
NOT_SQUASHED = {
    ("core", "0008_business_calendar"), ("core", "0008_background_job"),
    ("core", "0009_merge_0008_audit_sealer_0008_business_calendar"), ("core", "0010_merge_20261207_0853"),
    ("exposure", "0002_capital_base_to_credit"),
    ("helpdesk", "0011_business_calendar_to_core"), ("helpdesk", "0012_merge_20261207_0843"),
}
# Apps made after the squashes: nothing of theirs to squash (tradecredit took its tables over from trade).
NEWER_APPS = {"tradecredit"}
# SQLite tables whose columns the old chain left in another order (docs/migrations.md, "Column order").
SQLITE_COLUMN_ORDER = {"accounts_breach", "helpdesk_ticket"}
# Columns that hold the moment of the migrate, not seeded content.
MOMENT_COLUMNS = {"applied", "created_at"}


def _kehu_migrations(loader: MigrationLoader) -> dict:
    return {key: m for key, m in loader.disk_migrations.items() if m.__module__.startswith("kehu.")}


def _old_chain_state() -> ProjectState:
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    for key, migration in loader.replacements.items():
        loader.graph.remove_replacement_node(key, migration.replaces)
    return loader.graph.make_state(nodes=loader.graph.leaf_nodes(), real_apps=loader.unmigrated_apps)


def _number(name: str) -> int:
    return int(name.split("_", 1)[0])


def test_every_old_migration_is_replaced_by_one_squash_but_the_documented_few():
    migrations = _kehu_migrations(MigrationLoader(None, ignore_no_migrations=True))
    squashes = {key: m for key, m in migrations.items() if m.replaces}
    replaced = [tuple(r) for m in squashes.values() for r in m.replaces]
    assert len(replaced) == len(set(replaced)), "an old migration is replaced by two squashes"
    old = {key for key, m in migrations.items() if not m.replaces}
    assert set(replaced) <= old
    assert {key[0] for key in squashes} == {key[0] for key in old} - NEWER_APPS, "every app has its squash"
    # The migrations there were when the squashes were made; later ones (higher numbers) come after them.
    last = {}
    for app, name in [*replaced, *NOT_SQUASHED]:
        last[app] = max(last.get(app, 0), _number(name))
    then = {key for key in old if key[0] not in NEWER_APPS and _number(key[1]) <= last[key[0]]}
    assert then - set(replaced) == NOT_SQUASHED


def test_the_squashes_build_the_old_chains_migration_state():
    old = _old_chain_state()
    new = MigrationLoader(None, ignore_no_migrations=True).project_state()  # squashes used: nothing applied
    assert set(new.models) == set(old.models)
    for key, model in old.models.items():
        assert new.models[key] == model, f"{key} differs"
    # Each app's models come in the same order: a fresh database numbers their content types in it.
    for app in {key[0] for key in old.models}:
        assert [k for k in new.models if k[0] == app] == [k for k in old.models if k[0] == app], app


def test_a_backup_of_a_database_upgraded_from_before_the_squashes_is_at_the_same_state():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    squashes = {f"{app}.{name}" for app, name in loader.replacements}
    before_squashes = [name for name in _code_migrations() if name not in squashes]
    assert _applied_as_django_counts(before_squashes) == _code_migrations()
    part = [name for name in before_squashes if name != "customers.0004_customer_pi_restricted"]
    assert "customers.0001_squashed_0004_customer_pi_restricted" not in _applied_as_django_counts(part)


@pytest.mark.django_db
def test_a_fresh_database_has_the_search_objects():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'customers_customer' AND type = 'trigger'")
            assert {r[0] for r in cursor.fetchall()} == {f"customers_customer_{t}_{s}" for t in ("fts", "bigram")
                                                         for s in ("ai", "ad", "au")}
            for table in ("customers_customer_fts", "customers_customer_bigram"):
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
                assert "USING fts5" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer'")
            assert {"customers_name_trgm", "customers_pinyin_trgm", "customers_initials_trgm",
                    "customers_uscc_prefix", "customers_name_bigrams"} <= {r[0] for r in cursor.fetchall()}
            cursor.execute("SELECT collation_name FROM information_schema.columns "
                           "WHERE table_name = 'accounts_accounttransaction' AND column_name = 'txn_id'")
            assert cursor.fetchone()[0] == "C"


# ------------------------------------------------------------------------------------------ the full check

# Migrates the default database with the old chain: the squashed migrations are left out of the loader, so
# Django sees the migrations as they were before the squash.
OLD_CHAIN = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
import django
from django.db.migrations.loader import MigrationLoader

load_disk = MigrationLoader.load_disk

def without_squashes(self):
    load_disk(self)
    for key in [k for k, m in self.disk_migrations.items() if m.replaces]:
        del self.disk_migrations[key]

MigrationLoader.load_disk = without_squashes
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
"""


def _env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(KEHU_HOME=str(home), KEHU_DEMO="1", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    if database_url:
        env["KEHU_DATABASE_URL"] = database_url
    return env


def _build(home: Path, database_url: str | None = None) -> None:
    """Migrate one database with the old chain (home/old) and one with the squashes (home/new), side by side."""
    runs = {"old": [sys.executable, "-c", OLD_CHAIN], "new": [sys.executable, "-m", "kehu.cli", "init", "-v", "0"]}
    started = {}
    for name, command in runs.items():
        (home / name).mkdir()
        url = f"{database_url}_{name}" if database_url else None
        started[name] = subprocess.Popen(command, env=_env(home / name, url), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True)
    for name, process in started.items():
        _out, err = process.communicate(timeout=600)
        assert process.returncode == 0, f"{name}: {err[-3000:]}"


def _canonical_rows(table: str, columns: list[str], rows) -> list[tuple]:
    masked = [tuple("<moment>" if c in MOMENT_COLUMNS else v for c, v in zip(columns, row, strict=True))
              for row in rows]
    return sorted(masked, key=repr)


def _sqlite_elements(sql: str) -> list[str]:
    """The column and constraint definitions of a CREATE TABLE, split at the top-level commas."""
    body = sql[sql.index("(") + 1: sql.rindex(")")]
    parts, depth, start = [], 0, 0
    for i, char in enumerate(body):
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    return [*parts, body[start:].strip()]


def _sqlite_dump(path: Path) -> tuple[dict, dict]:
    db = sqlite3.connect(path)
    try:
        schema = {name: (kind, table, re.sub(r"\s+", " ", sql or "").strip()) for kind, name, table, sql in
                  db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")}
        rows = {}
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            cursor = db.execute(f'SELECT * FROM "{table}"')
            rows[table] = _canonical_rows(table, [d[0] for d in cursor.description], cursor.fetchall())
        return schema, rows
    finally:
        db.close()


def _compare_rows(old: dict, new: dict) -> None:
    squashes = {(app, name) for app, name in MigrationLoader(None, ignore_no_migrations=True).replacements}
    old_runs = {(r[1], r[2]) for r in old.pop("django_migrations")}
    new_runs = {(r[1], r[2]) for r in new.pop("django_migrations")}
    # Django records a squash and every migration it replaces.
    assert new_runs - old_runs == squashes and old_runs <= new_runs
    # A table the old chain rebuilt keeps a sequence row at 0, which counts as none.
    for rows in (old, new):
        if "sqlite_sequence" in rows:
            rows["sqlite_sequence"] = [r for r in rows["sqlite_sequence"] if r[1] and r[0] != "django_migrations"]
    assert old.keys() == new.keys()
    differing = [t for t in old if old[t] != new[t]]
    assert not differing, differing


def _check_sqlite(home: Path) -> None:
    old_schema, old_rows = _sqlite_dump(home / "old" / "kehu.sqlite3")
    new_schema, new_rows = _sqlite_dump(home / "new" / "kehu.sqlite3")
    assert old_schema.keys() == new_schema.keys()
    differing = {name for name in old_schema if old_schema[name] != new_schema[name]}
    assert differing <= SQLITE_COLUMN_ORDER, sorted(differing)
    for name in differing:  # the same columns and constraints, in another order
        assert sorted(_sqlite_elements(old_schema[name][2])) == sorted(_sqlite_elements(new_schema[name][2]))
    _compare_rows(old_rows, new_rows)


PG_SCHEMA = {
    # Column order by position among the live columns: a dropped column leaves a gap in attnum.
    "columns": """SELECT c.relname, row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum), a.attname,
                         format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                         co.collname, a.attidentity
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                  LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
                  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm')""",
    "constraints": """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE connamespace = 'public'::regnamespace""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "triggers": "SELECT event_object_table, trigger_name, action_statement FROM information_schema.triggers",
    "extensions": "SELECT extname FROM pg_extension",
    "sequences": """SELECT sequencename, data_type, increment_by, CASE WHEN sequencename LIKE 'django_migrations%'
                    THEN NULL ELSE last_value END FROM pg_sequences WHERE schemaname = 'public'""",
}


def _pg_dump(url: str) -> tuple[dict, dict]:
    import psycopg

    with psycopg.connect(url) as db:
        schema = {name: sorted(db.execute(sql).fetchall(), key=repr) for name, sql in PG_SCHEMA.items()}
        rows = {}
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            rows[table] = _canonical_rows(table, [d.name for d in cursor.description], cursor.fetchall())
        return schema, rows


def _check_postgresql(url: str) -> None:
    old_schema, old_rows = _pg_dump(f"{url}_old")
    new_schema, new_rows = _pg_dump(f"{url}_new")
    for part in PG_SCHEMA:
        assert old_schema[part] == new_schema[part], part
    _compare_rows(old_rows, new_rows)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_fresh_database_is_the_old_chains_schema_and_rows(engine, tmp_path):
    if engine == "sqlite":
        _build(tmp_path)
        _check_sqlite(tmp_path)
        return
    suite_url = os.environ.get("KEHU_DATABASE_URL", "")
    if not suite_url.startswith("postgres"):
        pytest.skip("the suite runs on SQLite")
    import psycopg

    parts = urlsplit(suite_url)
    base = f"{parts.path.lstrip('/')}_squash_{os.getpid()}"
    url = urlunsplit(parts._replace(path=f"/{base}"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    names = [f"{base}_old", f"{base}_new"]
    with psycopg.connect(admin, autocommit=True) as db:
        for name in names:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
    try:
        _build(tmp_path, url)
        _check_postgresql(url)
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            for name in names:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
