"""The database answers a scoped search from its search index, not by scanning the customer table.

A few thousand customers and fresh statistics, then the plan of the exact SQL ``customer_search``
runs for a branch user (org subtree) and an own-customers-only manager: the FTS5 table on SQLite,
the pg_trgm / btree indexes on PostgreSQL.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection

from kehu.core.models import OrgUnit
from kehu.customers.generators import CITY, TRADES, WORDS, make_uscc
from kehu.customers.models import Customer
from kehu.customers.rules import pinyin_keys
from kehu.customers.selectors import customer_search


@pytest.fixture
def crowd(world):
    rng = random.Random(3)
    units = list(OrgUnit.objects.filter(code__in=["BJ", "BJ01", "SH"]))
    rows = []
    keys: dict[str, tuple[str, str]] = {}
    for i in range(3000):
        base = rng.choice(CITY) + rng.choice(WORDS) + rng.choice(TRADES)[0]
        if base not in keys:
            keys[base] = pinyin_keys(base)
        full, initials = keys[base]
        unit = rng.choice(units)
        person = i % 3 == 0  # individuals: a blind index, no credit code
        rows.append(Customer(kind="individual" if person else "enterprise", name=f"{base}有限公司{i}",
                             name_pinyin=full + "youxiangongsi", name_initials=initials + "yxgs",
                             uscc=None if person else make_uscc(rng),
                             id_number_hash=f"{rng.getrandbits(256):064x}" if person else None,
                             org_unit=unit, org_path=unit.path,
                             manager=world.bj01_cm if unit.code == "BJ01" else None))
    rows.append(Customer(kind="financial_institution", name="中国银行股份有限公司", name_pinyin="zhongguoyinhang",
                         name_initials="zgyhgfyxgs", uscc="911000001000013428", org_unit=units[0],
                         org_path=units[0].path))
    Customer.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return rows


def _plan(queryset) -> str:
    sql, params = queryset[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # A few thousand rows fit in a handful of pages, where a sequential scan is cheaper; forbid it
        # to see which index the planner would use for the same SQL on a large table (the benchmark
        # shows the plan it picks by itself at a million rows, docs/search.md).
        # Plain index scans are forbidden too: at this size a walk of any btree (the primary key for
        # ORDER BY id, manager_id for a join) looks as cheap as anything.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET enable_seqscan = on; SET enable_indexscan = on")


def _full_scan(plan: str) -> bool:
    if connection.vendor == "sqlite":
        return any(line.strip() in ("SCAN customers_customer", "SCAN customers_customer USING INDEX")
                   or line.startswith("SCAN customers_customer USING") for line in plan.splitlines())
    return "Seq Scan on customers_customer" in plan


CASES = [
    # query, the index that must appear (SQLite, PostgreSQL)
    ("中国银行", ("customers_customer_fts", "customers_name_trgm")),
    ("zhongguoyinhang", ("customers_customer_fts", "customers_pinyin_trgm")),
    ("zgyh", ("customers_customer_fts", "customers_initials_trgm")),
    ("9110000010", ("sqlite_autoindex_customers_customer", "uscc")),
    ("911000001000013428", ("id_number_hash", "id_number_hash")),
    ("zg", ("name_initials", "name_initials")),
    ("银行", ("customers_customer_bigram", "customers_name_bigrams")),
]


@pytest.mark.parametrize("q,index", CASES)
@pytest.mark.parametrize("who", ["bj_cm", "bj01_cm"])
def test_scoped_search_uses_the_search_index(world, crowd, q, index, who):
    plan = _plan(customer_search(user=world.users[who], q=q))
    expected = index[0] if connection.vendor == "sqlite" else index[1]
    if who == "bj01_cm" and connection.vendor == "postgresql":
        # An own-customers-only manager's customers are a short list on the manager_id index; the
        # planner may start from either index, never from a scan.
        assert expected in plan or "customers_customer_manager_id" in plan, plan
    else:
        assert expected in plan, plan
    assert not _full_scan(plan), plan


def test_scope_still_applies_with_the_index(world, crowd):
    assert [c.name for c in customer_search(user=world.bj_cm, q="zgyh")] == ["中国银行股份有限公司"]
    assert list(customer_search(user=world.sh_cm, q="zgyh")) == []
    assert list(customer_search(user=world.bj01_cm, q="zgyh")) == []
