"""Reads on hot paths without the ORM's per-call SQL building (issue 17, P9).

A lookup by id through the API spent most of its time in Django's query compiler, not in the database:
``Customer.objects.select_related("org_unit", "manager").filter(pk=…).first()`` is compiled afresh on every
call (the three models' columns, the joins, the ordering), which profiled at about half of the whole
request. ``prepared`` compiles such a queryset once per database connection, with stand-in values for its
integer arguments, and afterwards only binds the new values and builds the objects as the ORM's own
``ModelIterable`` does (``Model.from_db``, the related populators of ``select_related``, the fields' and
the backend's converters), so the instances are the ORM's: same fields, same decrypted values, same
related objects. The twin of ``core.writes.insert_one`` on the read side.

Only integer arguments can be placeholders (primary keys, foreign keys); anything else in the queryset is
part of its shape and is compiled in. A queryset whose compiled parameters do not contain each stand-in
exactly once is refused when it is prepared (a field that converts the value would break the binding).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# Stand-ins for the arguments while compiling: negative integers, which no row's id or foreign key carries, and
# within a 32-bit integer column's range (Django compiles an out-of-range lookup value as "matches nothing").
_STAND_INS = tuple(-2_147_000_001 - i for i in range(8))


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, argument index)
    model: type[Model]
    init_list: tuple[str, ...]
    start: int
    end: int
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]


Converters = Sequence[tuple[int, Sequence[Callable[..., Any]], Any]]


def convert_row(raw: Sequence[Any], converters: Converters, conn: Any) -> list[Any]:
    """A database row as the ORM hands it over: at each position, the backend's and then the field's converters
    (SQLite's text datetimes and 0/1 booleans, decimals, decrypted fields), as ``(position, converters,
    expression)``. Shared by ``Prepared`` and the token read of ``core.selectors.token_holder``."""
    row = list(raw)
    for i, convs, expression in converters:
        value = row[i]
        for convert in convs:
            value = convert(value, expression, conn)
        row[i] = value
    return row


class Prepared(Generic[M]):
    """``build(*args)`` -> a queryset of ``M`` whose only variable parts are the integer ``args``."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, arity: int) -> None:
        if not 0 < arity <= len(_STAND_INS):
            raise ValueError(f"arity must be 1..{len(_STAND_INS)}")
        self._build = build
        self._arity = arity
        # One plan per connection object: Django's connections are per thread, and the converters a plan
        # holds are the compiling connection's.
        self._plans: weakref.WeakKeyDictionary[Any, _Plan] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _prepare(self, using: str) -> _Plan:
        queryset = self._build(*_STAND_INS[: self._arity])
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for argument, stand_in in enumerate(_STAND_INS[: self._arity]):
            found = [i for i, value in enumerate(params) if value == stand_in]
            if len(found) != 1:
                raise ValueError(f"argument {argument} appears {len(found)} times in the compiled parameters")
            slots.append((found[0], argument))
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            raise ValueError("prepared querysets return model instances")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        columns = [s[0] for s in select[: compiler.col_count]]
        return _Plan(
            sql=sql, params=tuple(params), slots=tuple(slots), model=klass_info["model"],
            init_list=tuple(f[0].target.attname for f in select[start:end]), start=start, end=end,
            converters=tuple((i, tuple(convs), expression)
                             for i, (convs, expression) in compiler.get_converters(columns).items()),
            # django-stubs describe a later Django (a fetch_mode argument); 5.2 takes these three.
            populators=tuple(get_related_populators(klass_info, select, using)),  # type: ignore[call-arg]
            annotations=tuple((compiler.annotation_col_map or {}).items()))

    def all(self, *args: int, using: str = "default") -> list[M]:
        if len(args) != self._arity or not all(type(a) is int for a in args):
            raise TypeError(f"expected {self._arity} integer arguments, got {args!r}")
        conn = connections[using]
        plan = self._plans.get(conn)
        if plan is None:
            with self._lock:
                plan = self._plans.get(conn) or self._prepare(using)
                self._plans[conn] = plan
        params = list(plan.params)
        for position, argument in plan.slots:
            params[position] = args[argument]
        with conn.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows: Sequence[Sequence[Any]] = cursor.fetchall()
        out: list[M] = []
        for raw in rows:
            row = convert_row(raw, plan.converters, conn)
            obj = plan.model.from_db(using, list(plan.init_list), row[plan.start:plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations:
                setattr(obj, name, row[position])
            out.append(obj)  # type: ignore[arg-type]
        return out

    def first(self, *args: int, using: str = "default") -> M | None:
        """The first row of the queryset, or None (the queryset's own ordering; no ordering is added)."""
        found = self.all(*args, using=using)
        return found[0] if found else None
