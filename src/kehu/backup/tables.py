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
import re
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


@dataclass(frozen=True)
class TableSpec:
    table: str
    pk: str
    pk_text: bool
    columns: tuple[Column, ...]
    model: type[models.Model] = field(compare=False, hash=False, repr=False)


def _kind(f: models.Field) -> tuple[str, int]:
    while f.is_relation:
        f = f.target_field
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
            columns.append(Column(f.column, kind, places, isinstance(f, EncryptedTextField)))
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


def fetch_batches(cursor, size: int = BATCH) -> Iterator[tuple]:
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield from batch


def digest_database(cursor_for: Callable[[TableSpec], object], vendor: str, specs: list[TableSpec],
                    *, watch: dict[str, tuple[str, ...]] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> DigestResult:
    """Hash every table; ``cursor_for(spec)`` returns a cursor that has run ``select_sql(spec)``."""
    tables, key_ids, watched = {}, set(), {}
    watch = watch or {}
    for n, spec in enumerate(specs, start=1):
        cursor = cursor_for(spec)
        names = [c.name for c in spec.columns]
        positions = tuple(names.index(name) for name in watch.get(spec.table, ()))
        sink = [] if spec.table in watch else None
        tables[spec.table] = digest_rows(spec, fetch_batches(cursor), key_ids, positions, sink)
        if sink is not None:
            watched[spec.table] = sink
        if progress:
            progress(n, len(specs))
    return DigestResult(tables, key_ids, watched)


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

