"""INSERTs without the ORM's per-call SQL building: set-based ones for imports (ids reserved up front, rows sent
with one ``executemany``) and single rows on hot paths (``insert_one``: a credit reservation, its history and
its audit row).

Django's ``bulk_create`` compiles every value of every row through the query compiler in the writing
process; at 10,000 rows a second that alone would take most of it (profiled: 6 s of 15 s for 20,000
customers). Here the values are converted by the model fields themselves (``pre_save`` and
``get_db_prep_save``: encryption, decimals, datetimes, JSON exactly as the ORM stores them), which the import
does in its worker processes, and the writing process only binds tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, connections, models
from django.db.models import Field, Model


def _column(field: Field[Any, Any]) -> str:
    """A concrete field's column (the stubs type it optional: only non-concrete fields have none)."""
    column = field.column
    if column is None:
        raise ValueError(f"{field} has no column")
    return column


def _pk_column(model: type[Model]) -> str:
    pk = model._meta.pk
    if pk is None:
        raise ValueError(f"{model} has no primary key")
    return _column(pk)


def insert_fields(model: type[Model]) -> list[Field[Any, Any]]:
    """The columns an INSERT of ``model`` writes besides the primary key, in a fixed order."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


# Field classes whose database value is the Python value itself (no conversion, no pre_save hook); exact
# classes only, so a subclass such as EncryptedTextField always goes through its own get_db_prep_save.
_PLAIN = {models.CharField, models.TextField, models.IntegerField, models.PositiveIntegerField,
          models.BigIntegerField, models.BooleanField}


def _plain(field: Field[Any, Any]) -> bool:
    return type(field) in _PLAIN and not getattr(field, "auto_now", False)


def db_values(obj: Model, fields: Sequence[Field[Any, Any]]) -> tuple[Any, ...]:
    """``obj``'s values as the database stores them on insert (what bulk_create would send)."""
    attrs = obj.__dict__
    return tuple(attrs[f.attname] if _PLAIN_CACHE[f] else f.get_db_prep_save(f.pre_save(obj, True),
                                                                                  connection=connection)
                 for f in fields)


class _PlainCache(dict["Field[Any, Any]", bool]):
    def __missing__(self, field: Field[Any, Any]) -> bool:
        self[field] = value = _plain(field)
        return value


_PLAIN_CACHE: dict[Field[Any, Any], bool] = _PlainCache()


def db_value(field: Field[Any, Any], value: Any) -> Any:
    """One value as the database stores it."""
    return value if _PLAIN_CACHE[field] else field.get_db_prep_save(value, connection=connection)


def reserve_ids(model: type[Model], n: int) -> list[int]:
    """Ids for ``n`` new rows of ``model``, increasing.

    PostgreSQL: taken from the table's sequence, safe under concurrency. SQLite: the writing transaction
    holds the database's write lock (kehu opens SQLite transactions IMMEDIATE), so nobody else inserts until
    it ends; an AUTOINCREMENT table never reuses an id, even of a deleted row, and sqlite_sequence keeps the
    largest id ever used (explicit ids raise it as well)."""
    if n <= 0:
        return []
    table = model._meta.db_table
    pk = _pk_column(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), pk, n])
            return sorted(row[0] for row in cursor.fetchall())
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids must run inside the writing transaction")
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk)}) FROM {connection.ops.quote_name(table)}")
        top = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
    return list(range(top + 1, top + 1 + n))


def insert_rows(model: type[Model], fields: Sequence[Field[Any, Any]], rows: Iterable[tuple[Any, ...]]) -> None:
    """INSERT ``rows`` = (id, *values in ``fields`` order) into ``model``'s table."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [_pk_column(model), *(_column(f) for f in fields)])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (model metadata)
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


# (model, database alias, primary key given) -> the INSERT statement and the fields it binds, built once.
_ONE: dict[tuple[type[Model], str, bool], tuple[str, list[Field[Any, Any]], bool]] = {}


def insert_one(obj: Model, *, using: str = "default") -> None:
    """INSERT ``obj`` as ``obj.save(force_insert=True)`` does and set its primary key, without compiling the
    statement on every call (issue 17: on the reservation path the ORM's insert compiler cost more than the
    database). Values go through the fields' own ``pre_save`` (auto_now_add) and ``get_db_prep_save``
    (encryption, decimals, datetimes, JSON), so the stored row is the ORM's. No signals are sent: none is
    connected to the models it is used for (the style guide keeps business rules out of signals)."""
    conn = connections[using]
    model = type(obj)
    given = obj.pk is not None
    plan = _ONE.get((model, using, given))
    if plan is None:
        quote = conn.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if given or not f.primary_key]
        columns = ", ".join(quote(_column(f)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (metadata)
        returning = not given
        if returning:
            sql += f" RETURNING {quote(_pk_column(model))}"
        plan = _ONE[(model, using, given)] = (sql, fields, returning)
    sql, fields, returning = plan
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = using
