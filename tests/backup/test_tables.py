"""The canonical form of ``kehu.backup.tables``: a value read from either engine, or parsed from PostgreSQL's COPY
text, gives the same canonical text; and the value a cross-engine restore stores gives it again.

CI once failed the PostgreSQL -> SQLite leg with core_user and core_passwordhistory "differing": a password
change stamped both tables with one ``now()`` whose microseconds were a multiple of 1000 (123000).
PostgreSQL prints that as ``... 23:34:07.123+00``, 26 characters like a canonical ``... 23:34:07.123456``,
and the length-only fast path kept the ``+00`` both in the hash and in the restored SQLite file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.backup import tables
from kehu.backup.tables import Column, canonicaliser, parse_copy_line, to_postgres, to_sqlite

DT = Column("at", "datetime")
TIME = Column("t", "time")


def _pg_text(value: datetime) -> str:
    """How PostgreSQL prints a timestamptz in a UTC session (fraction without trailing zeros, ``+00``)."""
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "+00"


@pytest.mark.parametrize("micro", [0, 1, 500, 100000, 120000, 123000, 999999, 123456])
def test_postgres_text_of_a_datetime_is_canonicalised_like_the_value(micro):
    value = datetime(2026, 12, 6, 23, 34, 7, micro, tzinfo=UTC)
    canon = canonicaliser(DT)
    want = canon(value)
    assert want == value.replace(tzinfo=None).isoformat(sep=" ")
    text = _pg_text(value)
    assert canon(text) == want, text
    # The value a PostgreSQL -> SQLite restore stores is what Django's SQLite backend would have stored.
    stored = to_sqlite(DT)(text)
    assert stored == want and canon(stored) == want
    # ... and back to PostgreSQL.
    assert canon(to_postgres(DT)(stored)) == want


def test_the_failing_ci_value_exactly():
    canon = canonicaliser(DT)
    assert canon("2026-12-06 23:34:07.123+00") == "2026-12-06 23:34:07.123000"
    assert canon("2026-12-07 07:34:07.123+08") == "2026-12-06 23:34:07.123000"
    assert canon("2026-12-06 23:34:07.123000") == "2026-12-06 23:34:07.123000"
    assert canon("2026-12-06 23:34:07") == "2026-12-06 23:34:07"
    assert canon("2026-12-06T23:34:07") == "2026-12-06 23:34:07"


def test_time_and_other_kinds_from_copy_text():
    assert canonicaliser(TIME)("09:00:00.5") == canonicaliser(TIME)(time(9, 0, 0, 500000)) == "09:00:00.500000"
    assert to_sqlite(TIME)("09:00:00.5") == "09:00:00.500000"
    assert canonicaliser(Column("b", "bool"))("t") == canonicaliser(Column("b", "bool"))(True) == "1"
    dec = Column("m", "decimal", 2)
    assert canonicaliser(dec)("12.30") == canonicaliser(dec)(Decimal("12.3")) == canonicaliser(dec)(12.3) == "12.30"
    js = Column("j", "json")
    assert canonicaliser(js)('{"b": 1, "a": "\\u4e2d"}') == canonicaliser(js)({"a": "中", "b": 1})


def test_copy_text_escapes_round_trip():
    line = "1\tpbkdf2_sha256$1$a\\\\b\tx\\ty\\nz\t\\N\t"
    assert parse_copy_line(line) == ["1", "pbkdf2_sha256$1$a\\b", "x\ty\nz", None, ""]


_DATETIMES = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 30),  # noqa: DTZ001
                          timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(_DATETIMES, _DATETIMES.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)),
                 _DATETIMES.map(lambda d: d.replace(microsecond=d.microsecond // 100000 * 100000))))
def test_any_datetime_canonical_on_every_path(value):
    canon = canonicaliser(DT)
    want = canon(value)
    text = _pg_text(value)
    assert canon(text) == want
    assert canon(to_sqlite(DT)(text)) == want
    assert canon(to_postgres(DT)(to_sqlite(DT)(text))) == want


def _server() -> str:
    return os.environ.get("KEHU_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


def test_real_postgresql_text_matches_the_values_psycopg_returns():
    """The text PostgreSQL itself prints (the COPY data of a dump) against the value psycopg hands back."""
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(_server() + "/postgres", connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server")
    values = [datetime(2026, 12, 6, 23, 34, 7, micro, tzinfo=UTC) for micro in (0, 1, 500, 120000, 123000, 999999)]
    values.append(datetime(1900, 1, 1, 0, 0, 0, 123000, tzinfo=UTC))  # before 1901: Shanghai's odd LMT offset
    with conn:
        for zone in ("UTC", "Asia/Shanghai", "America/St_Johns"):
            conn.execute(f"SET TIME ZONE '{zone}'")
            for value in values:
                text, back, t_text = conn.execute(
                    "SELECT %s::timestamptz::text, %s::timestamptz, (%s::timestamptz AT TIME ZONE 'UTC')::time::text",
                    (value, value, value)).fetchone()
                want = canonicaliser(DT)(back)
                assert canonicaliser(DT)(text) == want, (zone, text)
                assert canonicaliser(DT)(to_sqlite(DT)(text)) == want, (zone, text)
                assert canonicaliser(TIME)(t_text) == canonicaliser(TIME)(value.time()), t_text


def test_row_encoder_reads_copy_rows_like_database_rows():
    """A whole core_user row: parsed from COPY text, or as psycopg/SQLite return it, encodes the same."""
    spec = next(s for s in tables.table_specs() if s.table == "core_user")
    encode = tables.row_encoder(spec)
    kinds = {c.name: c.kind for c in spec.columns}
    at = datetime(2026, 12, 6, 23, 34, 7, 123000, tzinfo=UTC)
    sample = {"int": 7, "bool": True, "datetime": at, "text": "a\\b\tc", "date": None, "json": {"a": 1},
              "decimal": Decimal("1.00"), "float": 0.5, "uuid": None, "time": time(9, 30)}
    py_row = tuple(sample[kinds[c.name]] for c in spec.columns)

    def copy_field(value):
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, datetime):
            return _pg_text(value)
        if isinstance(value, dict):
            return '{"a": 1}'
        return str(value).replace("\\", "\\\\").replace("\t", "\\t")

    copy_row = parse_copy_line("\t".join(copy_field(v) for v in py_row))
    assert encode(copy_row) == encode(py_row)
    sqlite_row = tuple(None if v is None else to_sqlite(c)(v) for c, v in zip(spec.columns, copy_row, strict=True))
    assert encode(sqlite_row) == encode(py_row)



@pytest.mark.django_db
def test_a_json_string_value_hashes_alike_through_the_backups_connection_and_djangos():
    """A JSON column holding a JSON string ("" here) read by the backup's own PostgreSQL connection gives the
    same canonical text as the same value read through Django (found by the demo's backup on PostgreSQL)."""
    from django.db import connection

    from kehu.backup import db as backup_db

    if connection.vendor != "postgresql":
        pytest.skip("the backup's own connection is PostgreSQL's")
    column = tables.Column(name="v", kind="json")
    canon = tables.canonicaliser(column)
    with connection.cursor() as cur:
        cur.execute("""SELECT '""'::jsonb, '{"a": "x"}'::jsonb""")
        via_django = cur.fetchone()
    conn = backup_db.pg_connect(connection.settings_dict)
    try:
        via_backup = conn.execute("""SELECT '""'::jsonb, '{"a": "x"}'::jsonb""").fetchone()
    finally:
        conn.close()
    assert [canon(v) for v in via_backup] == [canon(v) for v in via_django] == ['""', '{"a":"x"}']


def test_page_digests_count_rows_from_the_leaf_pages_like_count_star(tmp_path):
    """Row counts of a SQLite set come from dbstat's leaf cells; they must equal count(*) for a table spread over
    interior pages, one whose rows overflow, a WITHOUT ROWID table and an empty one, and the page hashes keep
    the (b-tree name, page number) order that sets made before read."""
    import hashlib
    import sqlite3

    path = tmp_path / "pages.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE wide (id INTEGER PRIMARY KEY, name TEXT, note TEXT);
        CREATE INDEX wide_name ON wide (name);
        CREATE TABLE big (id INTEGER PRIMARY KEY, body BLOB);
        CREATE TABLE pairs (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
        CREATE TABLE empty (id INTEGER PRIMARY KEY);
    """)
    conn.executemany("INSERT INTO wide (name, note) VALUES (?, ?)",
                     ((f"客户{i}", "x" * (i % 300)) for i in range(20_000)))
    conn.executemany("INSERT INTO big (body) VALUES (?)", ((os.urandom(9000 + i),) for i in range(40)))
    conn.executemany("INSERT INTO pairs VALUES (?, ?)", ((f"a{i}", "b" * (i % 200)) for i in range(5_000)))
    conn.commit()
    conn.close()
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not tables.sqlite_has_dbstat(ro):
            pytest.skip("this SQLite has no dbstat")
        specs = [tables.TableSpec(t, "id", False, (), model=None) for t in ("wide", "big", "pairs", "empty")]
        result = tables.page_digests(ro, path, specs, key_ids=False)
        page_size = ro.execute("PRAGMA page_size").fetchone()[0]
        owner = dict(ro.execute("SELECT name, tbl_name FROM sqlite_master"))
        data = path.read_bytes()
        for spec in specs:
            assert result.tables[spec.table].rows == ro.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0]
            h = hashlib.sha256()
            for name, pageno in ro.execute("SELECT name, pageno FROM dbstat ORDER BY name, pageno"):
                if owner.get(name, name) == spec.table:
                    h.update(data[(pageno - 1) * page_size + (100 if pageno == 1 else 0):pageno * page_size])
            assert result.tables[spec.table].sha256 == h.hexdigest()
        assert result.tables["wide"].rows == 20_000 and result.tables["empty"].rows == 0
        assert ro.execute("SELECT count(*) FROM dbstat WHERE name = 'wide' AND pagetype = 'internal'").fetchone()[0]
        assert ro.execute("SELECT count(*) FROM dbstat WHERE name = 'big' AND pagetype = 'overflow'").fetchone()[0]
    finally:
        ro.close()
