"""The canonical lines a database builds in SQL (``tables.line_plan``) are byte for byte the lines Python builds
(``tables.row_encoder``), on the engine the suite runs on: for generated values of every column kind, stored the
way Django stores them, and for every table of a populated kehu database.

Why it matters: the manifest's table hashes are computed one way at backup time and compared after a restore,
possibly on the other engine; a single byte of difference would fail every restore.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection, models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.backup import tables
from kehu.backup.services import WATCH
from kehu.customers import services

TABLE = "kehu_test_sql_lines"

FIELDS: dict[str, models.Field] = {
    "n": models.BigIntegerField(null=True),
    "flag": models.BooleanField(null=True),
    "amount": models.DecimalField(max_digits=14, decimal_places=2, null=True),
    "rate": models.DecimalField(max_digits=10, decimal_places=4, null=True),
    "whole": models.DecimalField(max_digits=12, decimal_places=0, null=True),
    "at": models.DateTimeField(null=True),
    "day": models.DateField(null=True),
    "t": models.TimeField(null=True),
    "u": models.UUIDField(null=True),
    "data": models.JSONField(null=True),
    "f": models.FloatField(null=True),
    "s": models.TextField(null=True),
    "ip": models.GenericIPAddressField(null=True),
}
for _name, _field in FIELDS.items():
    _field.set_attributes_from_name(_name)


def _spec() -> tables.TableSpec:
    columns = [tables.Column("id", "int", internal="AutoField")]
    for name, field in FIELDS.items():
        kind, places = tables._kind(field)
        columns.append(tables.Column(name, kind, places, False, field.get_internal_type()))
    return tables.TableSpec(TABLE, "id", False, tuple(columns), model=None)


@pytest.fixture
def probe(db):
    columns = ", ".join(f'"{name}" {field.db_type(connection)}' for name, field in FIELDS.items())
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{TABLE}" ("id" integer PRIMARY KEY, {columns})')
    return _spec()


def _python_digest(spec: tables.TableSpec) -> tables.Digest:
    with connection.cursor() as cursor:
        cursor.execute(tables.select_sql(spec, vendor=connection.vendor))
        return tables.digest_rows(spec, tables.fetch_batches(cursor), set())


def _sql_digest(spec: tables.TableSpec) -> tables.Digest:
    raw = connection.connection
    plan = tables.line_plan(spec, vendor=connection.vendor)
    if plan.guard is not None:
        assert raw.execute(plan.guard).fetchone() is None, "values Django stores must take the SQL path"
    return tables.digest_connection(raw, connection.vendor, [spec]).tables[spec.table]


text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=6)
rows = st.fixed_dictionaries({
    "n": st.none() | st.integers(-2**63, 2**63 - 1),
    "flag": st.none() | st.booleans(),
    # within each column's digits: numeric(14, 2) holds less than 10^12
    "amount": st.none() | st.decimals(min_value="-999999999999.99", max_value="999999999999.99", places=2),
    "rate": st.none() | st.decimals(min_value=-10**5, max_value=10**5, places=4),
    "whole": st.none() | st.decimals(min_value=-10**11, max_value=10**11, places=0),
    # Hypothesis takes naive bounds and attaches the zone itself.
    "at": st.none() | st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 1, 1),  # noqa: DTZ001
                                   timezones=st.just(UTC)),
    "day": st.none() | st.dates(),
    "t": st.none() | st.times(),
    "u": st.none() | st.uuids(),
    "data": st.none() | json_values.filter(lambda v: v is not None),
    "f": st.none() | st.floats(allow_nan=False, allow_infinity=False),
    "s": st.none() | text,
    "ip": st.none() | st.ip_addresses(v=4).map(str),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(rows, min_size=1, max_size=4))
def test_sql_lines_equal_python_lines_for_every_kind(probe, batch):
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{TABLE}"')
        for pk, row in enumerate(batch, start=1):
            names = ", ".join(f'"{n}"' for n in row)
            marks = ", ".join(["%s"] * (len(row) + 1))
            values = [FIELDS[n].get_db_prep_save(v, connection) for n, v in row.items()]
            cursor.execute(f'INSERT INTO "{TABLE}" ("id", {names}) VALUES ({marks})', [pk, *values])
    python, sql = _python_digest(probe), _sql_digest(probe)
    assert sql.rows == python.rows == len(batch)
    assert sql.sha256 == python.sha256


@pytest.mark.parametrize("value", [
    datetime(2026, 12, 6, 23, 34, 7, 0, tzinfo=UTC), datetime(2026, 12, 6, 23, 34, 7, 123000, tzinfo=UTC),
    datetime(2026, 12, 6, 23, 34, 7, 1, tzinfo=UTC)])
def test_a_datetime_without_and_with_a_fraction(probe, value):
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{TABLE}" ("id", "at", "u", "s") VALUES (1, %s, %s, %s)',
                       [FIELDS["at"].get_db_prep_save(value, connection),
                        FIELDS["u"].get_db_prep_save(uuid.UUID(int=255), connection), "行一\n\t\x1e行二"])
    assert _sql_digest(probe) == _python_digest(probe)


def test_a_value_outside_the_sql_shapes_takes_the_python_path_on_sqlite(probe):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL columns hold only their own type")
    with connection.cursor() as cursor:
        # A decimal with more digits than a REAL keeps is stored as text; an offset on a datetime.
        cursor.execute(f'INSERT INTO "{TABLE}" ("id", "amount", "at") VALUES (1, %s, %s)',
                       ["1234567890123456.78", "2026-12-06 23:34:07.123+00"])
    plan = tables.line_plan(probe, vendor="sqlite")
    assert connection.connection.execute(plan.guard).fetchone() is not None
    digest = tables.digest_connection(connection.connection, "sqlite", [probe]).tables[TABLE]
    assert digest == _python_digest(probe)


def test_every_kehu_table_of_a_populated_database(world):
    for i in range(3):
        customer = world.enterprise(name=f"行号测试{i}有限公司")
        services.document_upload(actor=world.bj_cm, customer_id=customer.pk, kind="other", title="文件",
                                 filename="f.pdf", content_type="application/pdf", data=b"%PDF-1.4 " * 20)
    world.individual(name="张三")
    specs = tables.table_specs()
    raw = connection.connection
    got = tables.digest_connection(raw, connection.vendor, specs, watch=WATCH)
    assert {s.table for s in specs} == set(got.tables)
    for spec in specs:
        assert got.tables[spec.table] == _python_digest(spec), spec.table
    assert got.tables["customers_customer"].rows == 4
    assert got.watched["customers_document"], "the documents' storage names are read"
    with connection.cursor() as cursor:
        keys: set[str] = set()
        for spec in specs:
            cursor.execute(tables.select_sql(spec, vendor=connection.vendor))
            tables.digest_rows(spec, tables.fetch_batches(cursor), keys)
    assert got.key_ids == keys and keys
