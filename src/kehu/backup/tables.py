"""Database-neutral view of kehu's tables: which tables and columns, a canonical hash of their content, and
a logical copy between SQLite and PostgreSQL.

Why a logical layer beside the native dumps: a same-engine restore uses the native tool (SQLite's backup
file, ``pg_restore``), which is fastest and exact. But the manifest must say what "the same data" means on
either engine, and moving from SQLite to PostgreSQL (or back) cannot use a native dump at all. Both needs
are met by one canonical form per column type (a datetime is UTC ISO text, a decimal is quantised to its
field's places, JSON is sorted and compact, a boolean is 1/0, ciphertext is the stored text untouched).
The table hashes in the manifest are SHA-256 over these canonical rows in primary-key order, so a restore
into either engine is checked against the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import re
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Context, Decimal

from django.apps import apps
from django.db import models

from kehu.core.fields import EncryptedTextField

NULL = "\x00"
BATCH = 5000

_INT_TYPES = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
              "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}
_TEXT_TYPES = {"CharField", "TextField", "EmailField", "SlugField", "URLField", "FileField", "ImageField",
               "FilePathField", "GenericIPAddressField", "IPAddressField"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int, bool, decimal, float, datetime, date, time, json, uuid, text
    places: int = 0
    encrypted: bool = False
    internal: str = ""  # Django's internal type of the column's field (after following a relation)


@dataclass(frozen=True)
class TableSpec:
    table: str
    pk: str
    pk_text: bool
    columns: tuple[Column, ...]
    model: type[models.Model] = field(compare=False, hash=False, repr=False)


def _target(f: models.Field) -> models.Field:
    while f.is_relation:
        f = f.target_field
    return f


def _kind(f: models.Field) -> tuple[str, int]:
    f = _target(f)
    internal = f.get_internal_type()
    if internal in _INT_TYPES:
        return "int", 0
    if internal in {"BooleanField", "NullBooleanField"}:
        return "bool", 0
    if internal == "DecimalField":
        return "decimal", f.decimal_places
    if internal == "FloatField":
        return "float", 0
    if internal == "DateTimeField":
        return "datetime", 0
    if internal == "DateField":
        return "date", 0
    if internal == "TimeField":
        return "time", 0
    if internal == "JSONField":
        return "json", 0
    if internal == "UUIDField":
        return "uuid", 0
    if internal in _TEXT_TYPES or isinstance(f, models.TextField | models.CharField):
        return "text", 0
    raise NotImplementedError(f"backup: column type {internal} of {f.model.__name__}.{f.name} is not supported")


def table_specs() -> list[TableSpec]:
    """Every table kehu's models own (auto-created many-to-many tables included), in a stable order."""
    specs = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped or meta.db_table in specs:
            continue
        columns = []
        for f in meta.local_concrete_fields:
            kind, places = _kind(f)
            columns.append(Column(f.column, kind, places, isinstance(f, EncryptedTextField),
                                  _target(f).get_internal_type()))
        pk_kind, _ = _kind(meta.pk)
        specs[meta.db_table] = TableSpec(meta.db_table, meta.pk.column, pk_kind == "text", tuple(columns), model)
    return [specs[name] for name in sorted(specs)]


# ------------------------------------------------------------------------------------- canonical form

_DEC_CONTEXT = Context(prec=15)


def _is_canonical_dt(value: str) -> bool:
    """True for exactly ``YYYY-MM-DD HH:MM:SS`` or ``YYYY-MM-DD HH:MM:SS.ffffff`` (naive, six digits).

    Length alone is not enough: PostgreSQL's text form trims trailing zeros of the fraction and appends the
    offset, so ``2026-12-06 23:34:07.123+00`` is 26 characters long too (a timestamp whose microseconds are
    a multiple of 1000), and taking it as canonical left ``+00`` in the hash and in a restored SQLite file.
    """
    n = len(value)
    if n != 19 and not (n == 26 and value[19] == "." and value[20:].isdigit()):
        return False
    return value[4] == "-" and value[7] == "-" and value[10] == " " and value[13] == ":" and value[16] == ":"


def _dt_canon(value) -> str:
    if value.__class__ is str:
        # What Django's SQLite backend stores (naive UTC, str(datetime)) is already the canonical form.
        if _is_canonical_dt(value):
            return value
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def _time_canon(value) -> str:
    """``HH:MM:SS`` or ``HH:MM:SS.ffffff`` (PostgreSQL's text trims the fraction's trailing zeros)."""
    if value.__class__ is str:
        value = time.fromisoformat(value)
    return value.isoformat()


def _decimal(value, places: int) -> Decimal:
    q = Decimal(1).scaleb(-places)
    if isinstance(value, float):
        return _DEC_CONTEXT.create_decimal_from_float(value).quantize(q)
    return Decimal(value).quantize(q)


def canonicaliser(column: Column) -> Callable[[object], str]:
    """raw database value (either engine) -> canonical text."""
    kind = column.kind
    if kind == "int":
        return lambda v: str(int(v))
    if kind == "bool":
        return lambda v: "1" if (v in ("t", "1") if isinstance(v, str) else v) else "0"
    if kind == "decimal":
        places = column.places
        return lambda v: format(_decimal(v, places), "f")
    if kind == "float":
        return lambda v: repr(float(v))
    if kind == "datetime":
        return _dt_canon
    if kind == "date":
        return lambda v: v if isinstance(v, str) else v.isoformat()
    if kind == "time":
        return _time_canon
    if kind == "json":
        def canon_json(v):
            if isinstance(v, str | bytes):
                v = json.loads(v)
            return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return canon_json
    if kind == "uuid":
        return lambda v: str(v).replace("-", "").lower()
    return str


def _key_id(value: str) -> str | None:
    if value.startswith("v1:"):
        end = value.find(":", 3)
        if end > 3:
            return value[3:end]
    return None


@dataclass
class Digest:
    rows: int = 0
    sha256: str = ""


@dataclass
class DigestResult:
    tables: dict[str, Digest]
    key_ids: set[str]
    watched: dict[str, list[tuple]]  # (table) -> selected columns of every row, for callers that need them
    objects: dict[str, str] = field(default_factory=dict)  # SQLite pages form: the b-trees of no kehu table


def select_sql(spec: TableSpec, *, vendor: str) -> str:
    cols = ", ".join(f'"{c.name}"' for c in spec.columns)
    order = f'"{spec.pk}"'
    if spec.pk_text and vendor == "postgresql":
        order += ' COLLATE "C"'  # the byte order SQLite uses
    return f'SELECT {cols} FROM "{spec.table}" ORDER BY {order}'


def row_encoder(spec: TableSpec) -> Callable[[tuple], str]:
    """One function per table that turns a raw row into its canonical line (generated: this runs for every
    row of every table, and a call per value costs more than the work)."""
    env: dict = {"N": NULL}
    parts = []
    for i, column in enumerate(spec.columns):
        v = f"r[{i}]"
        if column.kind in ("text", "int"):
            expr = f"str({v})"
        elif column.kind == "bool":
            env[f"c{i}"] = canonicaliser(column)
            expr = f"(c{i}({v}) if {v}.__class__ is str else ('1' if {v} else '0'))"
        else:
            env[f"c{i}"] = canonicaliser(column)
            expr = f"c{i}({v})"
        parts.append(f"(N if {v} is None else {expr})")
    source = "def encode(r):\n    return '\\x1e'.join((" + ", ".join(parts) + ",))\n"
    exec(compile(source, f"<row encoder {spec.table}>", "exec"), env)  # noqa: S102 - generated from the schema
    return env["encode"]


def digest_rows(spec: TableSpec, rows: Iterable[tuple], key_ids: set[str],
                watch: tuple[int, ...] = (), sink: list | None = None) -> Digest:
    encode = row_encoder(spec)
    encrypted = [i for i, c in enumerate(spec.columns) if c.encrypted]
    h = hashlib.sha256()
    count = 0
    lines: list[str] = []
    for row in rows:
        count += 1
        lines.append(encode(row))
        for i in encrypted:
            value = row[i]
            if value and value.startswith("v1:"):
                end = value.find(":", 3)
                if end > 3:
                    key_ids.add(value[3:end])
        if sink is not None:
            sink.append(tuple(row[i] for i in watch))
        if len(lines) >= BATCH:
            lines.append("")
            h.update("\n".join(lines).encode("utf-8"))
            lines.clear()
    if lines:
        lines.append("")
        h.update("\n".join(lines).encode("utf-8"))
    return Digest(count, h.hexdigest())


# ------------------------------------------------------------------------ canonical lines built in SQL
#
# Hashing a table through Python costs a call per value: at 20,000 customers that was most of a backup. The
# same canonical text can be built by the database itself, one value per row reaching Python: SQLite in C,
# PostgreSQL in its own server process (so on a second core). The lines must be byte for byte what
# ``row_encoder`` makes, so every SQL form below mirrors one canonicaliser; ``tests/backup/test_sql_lines.py``
# compares the two on every table of a populated database on both engines. Where SQL cannot be exact the
# Python form is used: JSON (sorted keys) and float (Python's shortest repr) columns are fetched raw and put
# in the line in Python; on SQLite, whose columns take any type, a table holding a value outside the shapes
# below (a decimal stored as text, a datetime with an offset) is hashed through Python altogether, after
# one guard query that finds it.

_PY_KINDS = {"json", "float"}
# An address column is text on SQLite but inet on PostgreSQL, whose text form of some IPv6 addresses is not
# Python's: the Python path reads both alike.
_IP_TYPES = {"GenericIPAddressField", "IPAddressField"}
_D = "[0-9]"
_DATE = f"{_D * 4}-{_D * 2}-{_D * 2}"
_HMS = f"{_D * 2}:{_D * 2}:{_D * 2}"
_FRACTION = "." + _D * 6


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_form(column: Column) -> tuple[str, str]:
    """(expression giving the canonical text of a non-NULL value, condition that the value has a shape for
    which that expression is exact)."""
    x = _q(column.name)
    kind = column.kind
    if kind == "text":
        return x, f"typeof({x}) = 'text'"
    if kind == "int":
        return f"CAST({x} AS TEXT)", f"typeof({x}) = 'integer'"
    if kind == "bool":
        return f"CASE WHEN {x} THEN '1' ELSE '0' END", f"typeof({x}) = 'integer'"
    if kind == "decimal":
        # What Django stores has at most ``places`` decimals and (as SQLite keeps a REAL only when 15
        # significant digits survive) prints back exactly; larger or longer values are stored as text and
        # take the Python path.
        p = column.places
        bound = 10 ** max(0, 15 - p)
        return (f"printf('%.{p}f', {x})",
                f"typeof({x}) IN ('integer', 'real') AND abs({x}) < {bound} AND round({x}, {p}) = {x}")
    if kind == "datetime":
        return x, f"typeof({x}) = 'text' AND ({x} GLOB '{_DATE} {_HMS}' OR {x} GLOB '{_DATE} {_HMS}{_FRACTION}')"
    if kind == "date":
        return x, f"typeof({x}) = 'text'"
    if kind == "time":
        return x, (f"typeof({x}) = 'text' AND ({x} GLOB '{_HMS}' OR ({x} GLOB '{_HMS}{_FRACTION}' "
                   f"AND substr({x}, 10) <> '000000'))")
    if kind == "uuid":
        return f"lower(replace({x}, '-', ''))", f"typeof({x}) = 'text'"
    raise AssertionError(kind)


def _pg_us(x: str, text: str) -> str:
    """PostgreSQL: the ``.ffffff`` Python's isoformat adds when the microseconds are not zero."""
    return (f"CASE WHEN (extract(microseconds FROM {x})::bigint % 1000000) = 0 THEN '' "
            f"ELSE to_char({text}, '.US') END")


def _pg_form(column: Column) -> str:
    x = _q(column.name)
    kind = column.kind
    if kind == "text":
        return f"{x}::text"
    if kind == "int":
        return f"{x}::text"
    if kind == "bool":
        return f"CASE WHEN {x} THEN '1' ELSE '0' END"
    if kind == "decimal":
        return f"round({x}, {column.places})::text"
    if kind == "datetime":
        utc = f"({x} AT TIME ZONE 'UTC')"
        return f"to_char({utc}, 'YYYY-MM-DD HH24:MI:SS') || {_pg_us(x, utc)}"
    if kind == "date":
        return f"to_char({x}, 'YYYY-MM-DD')"
    if kind == "time":
        stamp = f"(DATE '2000-01-01' + {x})"
        return f"to_char({stamp}, 'HH24:MI:SS') || {_pg_us(x, stamp)}"
    if kind == "uuid":
        return f"replace({x}::text, '-', '')"
    raise AssertionError(kind)


@dataclass(frozen=True)
class LinePlan:
    """A SELECT whose result columns, concatenated per row (Python-canonicalised ones in between), are the
    table's canonical lines as bytes; ``python[i]`` is the canonicaliser of result column i, or None for a
    column SQL built."""

    sql: str
    python: tuple[Callable[[object], str] | None, ...]
    guard: str | None  # SQLite: a query that returns a row when the table needs the Python path


def line_plan(spec: TableSpec, *, vendor: str) -> LinePlan:
    tokens: list[tuple[str, object]] = []  # ("sql", bytes-valued expression) | ("py", column)
    guards = []
    for i, column in enumerate(spec.columns):
        if i:
            tokens.append(("sql", "char(30)" if vendor == "sqlite" else "'\\x1e'::bytea"))
        if column.kind in _PY_KINDS or column.internal in _IP_TYPES:
            tokens.append(("py", column))
            continue
        x = _q(column.name)
        if vendor == "sqlite":
            expr, ok = _sqlite_form(column)
            guards.append(f"({x} IS NOT NULL AND NOT ({ok}))")
            tokens.append(("sql", f"CASE WHEN {x} IS NULL THEN char(0) ELSE {expr} END"))
        else:
            tokens.append(("sql", f"CASE WHEN {x} IS NULL THEN '\\x00'::bytea "
                                  f"ELSE convert_to({_pg_form(column)}, 'UTF8') END"))
    tokens.append(("sql", "char(10)" if vendor == "sqlite" else "'\\x0a'::bytea"))
    select: list[str] = []
    python: list[Callable[[object], str] | None] = []
    run: list[str] = []

    def segment() -> str:
        # SQLite's || gives text (NUL included); the whole segment is handed over as its UTF-8 bytes.
        joined = " || ".join(run)
        return f"CAST({joined} AS BLOB)" if vendor == "sqlite" else joined

    for what, item in tokens:
        if what == "sql":
            run.append(item)  # type: ignore[arg-type]
            continue
        if run:
            select.append(segment())
            python.append(None)
            run = []
        column = item
        x = _q(column.name)  # type: ignore[union-attr]
        select.append(f"{x}::text" if vendor == "postgresql" and column.kind == "json" else x)  # type: ignore[union-attr]
        python.append(canonicaliser(column))  # type: ignore[arg-type]
    if run:
        select.append(segment())
        python.append(None)
    order = _q(spec.pk)
    if spec.pk_text and vendor == "postgresql":
        order += ' COLLATE "C"'  # the byte order SQLite uses
    sql = f"SELECT {', '.join(select)} FROM {_q(spec.table)} ORDER BY {order}"
    guard = None
    if vendor == "sqlite" and guards:
        guard = f"SELECT 1 FROM {_q(spec.table)} WHERE {' OR '.join(guards)} LIMIT 1"
    return LinePlan(sql, tuple(python), guard)


def digest_lines(plan: LinePlan, batches: Iterable[list[tuple]]) -> Digest:
    """Hash the rows of ``plan.sql`` (fetched in batches)."""
    h = hashlib.sha256()
    count = 0
    if plan.python == (None,):
        for batch in batches:
            count += len(batch)
            h.update(b"".join([r[0] for r in batch]))
        return Digest(count, h.hexdigest())
    funcs = plan.python
    null = NULL.encode()
    for batch in batches:
        count += len(batch)
        parts: list[bytes] = []
        for row in batch:
            for f, value in zip(funcs, row, strict=True):
                if f is None:
                    parts.append(value)
                else:
                    parts.append(null if value is None else f(value).encode("utf-8"))
        h.update(b"".join(parts))
    return Digest(count, h.hexdigest())


_KEY_ID_RE = re.compile(r"[A-Za-z0-9]{1,16}")


def _key_id_sql(spec: TableSpec, vendor: str, usual: str | None = None) -> list[str]:
    """Queries giving the key ids a table's encrypted values name (``v1:<key id>:...``), read by
    ``_key_ids_of``: one scan of the table, whatever the number of encrypted columns, for the distinct
    combinations of key ids.

    ``usual`` (SQLite): the key id nearly every value carries (the keyring's current key). Rows whose encrypted
    values are all empty or under that key are then skipped by a plain prefix comparison, and one query that
    stops at the first such value says whether the key is used at all; only the other rows are cut into heads
    and made distinct. At 1,000,000 customers that scan took 0.66 s instead of 1.8 s."""
    names = [_q(column.name) for column in spec.columns if column.encrypted]
    if not names:
        return []
    queries = []
    if vendor == "sqlite" and usual and _KEY_ID_RE.fullmatch(usual):
        head = f"v1:{usual}:"  # letters and digits only (checked above): safe as a literal
        n = len(head)
        used = " OR ".join(f"substr({x}, 1, {n}) = '{head}'" for x in names)
        queries.append(f"SELECT '{head}' WHERE EXISTS (SELECT 1 FROM {_q(spec.table)} WHERE {used})")
        usual_only = " AND ".join(f"({x} IS NULL OR {x} = '' OR substr({x}, 1, {n}) = '{head}')" for x in names)
        where = f" WHERE NOT ({usual_only})"
    else:
        where = ""
    exprs = []
    for x in names:
        if vendor == "sqlite":
            # The value's head up to the colon after the key id (key ids are 1-16 letters or digits, kehu.conf):
            # "v1:k1:". Python tells a key id from anything else (_key_id); SQLite only cuts the short head, so
            # DISTINCT keeps one row per combination of keys, not a copy of every ciphertext. One substr and one
            # instr per value: this scan ran 40% longer with the checks done in SQL.
            exprs.append(f"substr({x}, 1, 3 + instr(substr({x}, 4, 17), ':'))")
        else:
            exprs.append(f"CASE WHEN left({x}, 3) = 'v1:' AND strpos(substr({x}, 4), ':') > 1 "
                         f"THEN 'v1:' || split_part({x}, ':', 2) || ':' END")
    return [*queries, f"SELECT DISTINCT {', '.join(exprs)} FROM {_q(spec.table)}{where}"]


def _key_ids_of(rows: Iterable[tuple]) -> set[str]:
    return {k for row in rows for v in row if v and (k := _key_id(v))}


def _batches(cursor, size: int = BATCH) -> Iterator[list[tuple]]:
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield batch


def digest_connection(conn, vendor: str, specs: list[TableSpec], *,
                      watch: dict[str, tuple[str, ...]] | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      cursor_prefix: str = "kehu_digest") -> DigestResult:
    """Hash every table of a database open on ``conn`` (a ``sqlite3`` connection, or a psycopg connection
    whose transaction fixes the snapshot): the canonical lines built in SQL where that is exact."""
    tables, key_ids, watched = {}, set(), {}
    watch = watch or {}
    for n, spec in enumerate(specs, start=1):
        plan = line_plan(spec, vendor=vendor)
        if vendor == "sqlite":
            if plan.guard is not None and conn.execute(plan.guard).fetchone() is not None:
                tables[spec.table] = digest_rows(spec, fetch_batches(conn.execute(select_sql(spec, vendor=vendor))),
                                                 key_ids)
            else:
                tables[spec.table] = digest_lines(plan, _batches(conn.execute(plan.sql)))
            for sql in _key_id_sql(spec, vendor):
                key_ids.update(_key_ids_of(conn.execute(sql)))
        else:
            with conn.cursor(name=f"{cursor_prefix}_{n}") as cursor:
                cursor.itersize = BATCH
                cursor.execute(plan.sql)
                tables[spec.table] = digest_lines(plan, _batches(cursor))
            for sql in _key_id_sql(spec, vendor):
                key_ids.update(_key_ids_of(conn.execute(sql)))
        if spec.table in watch:
            cols = ", ".join(_q(c) for c in watch[spec.table])
            order = _q(spec.pk) + (' COLLATE "C"' if spec.pk_text and vendor == "postgresql" else "")
            watched[spec.table] = [tuple(r) for r in conn.execute(f"SELECT {cols} FROM {_q(spec.table)} ORDER BY {order}")]
        if progress:
            progress(n, len(specs))
    return DigestResult(tables, key_ids, watched)


# ------------------------------------------------------------------------ SQLite: hashes of the pages
#
# A same-engine SQLite restore is a copy of the snapshot file, checked by the file's SHA-256. What the manifest
# needs besides is a hash per table that finds the table a damaged copy lost. SQLite's dbstat table lists the
# pages of every b-tree; hashing each table's pages (its own and its indexes') straight from the file costs
# one pass of SHA-256, where the canonical rows cost a call per value (the canonical form stays the measure
# for a restore into the other engine: it is computed then, from the set's own snapshot).

PAGE_FORM = "sqlite-pages"
CANONICAL_FORM = "canonical"


def sqlite_has_dbstat(conn) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1").fetchall()
    except Exception:  # noqa: BLE001 - sqlite3.OperationalError: no such table (a build without dbstat)
        return False
    return True


class _KeyIdScan:
    """The key ids a SQLite file's encrypted values name, read on a thread and connection of its own."""

    def __init__(self, path, queries: list[str]) -> None:
        self.found: set[str] = set()
        self.failed: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(str(path), queries), name="kehu-backup-key-ids")
        self.thread.start()

    def _run(self, path: str, queries: list[str]) -> None:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                for sql in queries:
                    self.found |= _key_ids_of(conn.execute(sql))
            finally:
                conn.close()
        except BaseException as exc:  # re-raised by result() in the calling thread
            self.failed.append(exc)

    def result(self) -> set[str]:
        self.thread.join()
        if self.failed:
            raise self.failed[0]
        return self.found


GATHER = 8 * 1024 * 1024  # bytes of pages joined before one SHA-256 update


def _page_offset(pageno: int, page_size: int) -> int:
    # Page 1 opens with the file's 100-byte header (change counter, journal mode, ...), which any connection
    # may rewrite without changing a row: the schema's b-tree starts after it.
    return (pageno - 1) * page_size + (100 if pageno == 1 else 0)


def page_digests(conn, path, specs: list[TableSpec], *, watch: dict[str, tuple[str, ...]] | None = None,
                 key_ids: bool = True, usual_key: str | None = None) -> DigestResult:
    """Row count and SHA-256 over the pages of every table (and its indexes) of the SQLite file at ``path``,
    open read-only on ``conn``; pages in (b-tree name, page number) order. ``usual_key``: see ``_key_id_sql``."""

    scans = None
    if key_ids:
        # The key-id scans run on a connection and thread of their own while the pages are hashed here: SQLite
        # scans and hashlib both work without the GIL, so the two go on side by side.
        scans = _KeyIdScan(path, [sql for spec in specs for sql in _key_id_sql(spec, "sqlite", usual_key)])
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    owner, rowid_tables = {}, set()
    for kind, name, table, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index')"):
        owner[name] = table
        if kind == "table" and sql and "WITHOUT ROWID" not in sql.upper() and not sql.upper().startswith(
                "CREATE VIRTUAL"):
            rowid_tables.add(name)
    pages: dict[str, list[int]] = defaultdict(list)
    # dbstat decodes every page anyway: the cells on the leaf pages of a rowid table's own b-tree are its rows
    # (its interior pages hold only child pointers), so the row counts come from the same pass instead of a
    # count(*) scan of each table (0.7 s of 12 at 1,000,000 customers). A WITHOUT ROWID table keeps rows on
    # interior pages too and a virtual table has no b-tree of its own: those are counted.
    # One row per b-tree, its page numbers joined by SQLite: a row per page would be 250,000 rows at 1,000,000
    # customers, each taking the GIL back from the thread writing the archive.
    cells: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for name, numbers, leaf_cells in conn.execute(
            "SELECT name, group_concat(pageno), coalesce(sum(CASE WHEN pagetype = 'leaf' THEN ncell END), 0) "
            "FROM dbstat GROUP BY name"):
        by_name[name] = sorted(map(int, numbers.split(",")))
        cells[name] = leaf_cells
    # In (b-tree name, page number) order, as sets made before this read them (ORDER BY name, pageno): str
    # order is SQLite's BINARY order of the UTF-8 names.
    for name in sorted(by_name):
        pages[owner.get(name, name)].extend(by_name[name])
    result = DigestResult({}, set(), {})
    named = {spec.table for spec in specs}

    def digest_of(view, numbers: list[int]) -> str:
        h = hashlib.sha256()
        # Runs of consecutive pages are gathered and hashed 8 MB at a time (the same bytes in the same order as
        # page by page): the pages of a table lie in 137,000 runs at 1,000,000 customers, and a call per run
        # gives the GIL up and waits to take it back from the thread writing the archive each time.
        parts: list = []
        gathered = 0
        run_start = run_end = None
        for pageno in [*numbers, None]:
            if pageno is not None and run_end is not None and pageno == run_end + 1:
                run_end = pageno
                continue
            if run_start is not None and run_end is not None:
                part = view[_page_offset(run_start, page_size):run_end * page_size]
                parts.append(part)
                gathered += len(part)
                if gathered >= GATHER or pageno is None:
                    h.update(b"".join(parts))
                    parts, gathered = [], 0
            run_start = run_end = pageno
        return h.hexdigest()

    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        view = memoryview(mm)
        try:
            for spec in specs:
                if spec.table in rowid_tables and spec.table in cells:
                    rows = cells[spec.table]
                else:
                    rows = conn.execute(f"SELECT count(*) FROM {_q(spec.table)}").fetchone()[0]
                result.tables[spec.table] = Digest(rows, digest_of(view, pages.get(spec.table, [])))
            # Every other b-tree of the file too (the schema, django_migrations, the search index): a
            # same-engine restore is checked by these pages, not by one hash of the whole file.
            result.objects = {name: digest_of(view, numbers) for name, numbers in sorted(pages.items())
                              if name not in named}
        finally:
            view.release()
    if scans is not None:
        result.key_ids = scans.result()
    for spec in specs:
        if watch and spec.table in watch:
            cols = ", ".join(_q(c) for c in watch[spec.table])
            result.watched[spec.table] = [
                tuple(r) for r in conn.execute(f"SELECT {cols} FROM {_q(spec.table)} ORDER BY {_q(spec.pk)}")]
    return result


def fetch_batches(cursor, size: int = BATCH) -> Iterator[tuple]:
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield from batch


# ------------------------------------------------------------------------------------- logical copy

_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")


def _unescape(match: re.Match) -> str:
    s = match.group(1)
    if s[0] == "x" and len(s) > 1:
        return chr(int(s[1:], 16))
    if s[0].isdigit():
        return chr(int(s, 8))
    return _COPY_ESCAPES.get(s, s)


def parse_copy_line(line: str) -> list[str | None]:
    """One data line of PostgreSQL's COPY text format -> its fields (``\\N`` is NULL)."""
    out = []
    for f in line.split("\t"):
        if f == "\\N":
            out.append(None)
        elif "\\" in f:
            out.append(_ESCAPE_RE.sub(_unescape, f))
        else:
            out.append(f)
    return out


_COPY_HEAD = re.compile(r'^COPY (?:[\w"]+\.)?"?([^"\s(]+)"? \((.*)\) FROM stdin;$')


def copy_blocks(lines: Iterable[str]) -> Iterator[tuple[str, list[str], Iterator[list[str | None]]]]:
    """The COPY blocks of a plain SQL dump (``pg_restore -f - --data-only``): (table, columns, rows)."""
    it = iter(lines)
    for line in it:
        m = _COPY_HEAD.match(line.rstrip("\n"))
        if not m:
            continue
        table = m.group(1)
        columns = [c.strip().strip('"') for c in m.group(2).split(",")]

        def rows(it=it):
            for data in it:
                data = data.rstrip("\n")
                if data == "\\.":
                    return
                yield parse_copy_line(data)

        block = rows()
        yield table, columns, block
        for _rest in block:  # drain what the caller did not read
            pass


def to_sqlite(column: Column) -> Callable[[object], object]:
    """Value from PostgreSQL's COPY text -> the value Django's SQLite backend would have stored."""
    kind = column.kind
    if kind == "int":
        return int
    if kind == "bool":
        return lambda v: 1 if v in ("t", "true", "1", True) else 0
    if kind == "decimal":
        return lambda v: str(Decimal(v))
    if kind == "float":
        return float
    if kind == "datetime":
        return _dt_canon
    if kind == "time":
        return _time_canon
    if kind == "uuid":
        return lambda v: str(v).replace("-", "")
    return lambda v: v


def to_postgres(column: Column) -> Callable[[object], object]:
    """Raw SQLite value -> text PostgreSQL's COPY reads into the column's type."""
    kind = column.kind
    if kind == "bool":
        return lambda v: "t" if v else "f"
    if kind == "decimal":
        places = column.places
        return lambda v: format(_decimal(v, places), "f")
    if kind == "datetime":
        return lambda v: _dt_canon(v) + "+00:00"
    if kind == "json":
        return lambda v: v if isinstance(v, str) else json.dumps(v)
    if kind in ("int", "float"):
        return str
    return lambda v: v if isinstance(v, str) else str(v)


# ------------------------------------------------------------------------------------- diagnosis

_SHOWN_KINDS = {"int", "bool", "decimal", "float", "datetime", "date", "time", "uuid"}


@dataclass
class Difference:
    """The first row (by primary key) where a restored table differs from its source, and how."""

    pk: str
    missing: str = ""  # "target": the row is not in the restored table; "source": not in the backup
    columns: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (name, backup, restored)


def row_canon(spec: TableSpec) -> Callable[[tuple], tuple[str, ...]]:
    """raw row -> canonical value per column (``NULL`` for NULL); the pieces ``row_encoder`` joins."""
    funcs = [canonicaliser(c) for c in spec.columns]
    return lambda r: tuple(NULL if v is None else f(v) for f, v in zip(funcs, r, strict=True))


def first_difference(spec: TableSpec, source_rows: Iterable[tuple], target_rows: Iterable[tuple]) -> Difference | None:
    """Compare a table row by row (only run when its hash differs): the source is held by primary key, so
    the rows may come in any order (a dump's COPY data is in physical order)."""
    canon = row_canon(spec)
    names = [c.name for c in spec.columns]
    at = names.index(spec.pk)
    source = {}
    for row in source_rows:
        values = canon(row)
        source[values[at]] = values
    found: list[Difference] = []
    for row in target_rows:
        got = canon(row)
        want = source.pop(got[at], None)
        if want is None:
            found.append(Difference(got[at], missing="source"))
        elif want != got:
            found.append(Difference(got[at], columns=[(n, w, g) for n, w, g in zip(names, want, got, strict=True)
                                                      if w != g]))
    found.extend(Difference(pk, missing="target") for pk in source)
    if not found:
        return None

    def order(d: Difference):
        if spec.pk_text:
            return (0, d.pk)
        try:
            return (int(d.pk), "")
        except ValueError:
            return (0, d.pk)

    return min(found, key=order)


def shown(spec: TableSpec, name: str, value: str | None) -> str:
    """A value for a problem report: numbers, dates and flags as they are; text (personal data, ciphertext)
    only by its length."""
    if value is None:
        return "-"
    if value == NULL:
        return "NULL"
    column = next(c for c in spec.columns if c.name == name)
    if column.kind in _SHOWN_KINDS and not column.encrypted:
        return value
    return f"<{len(value)} chars>"

