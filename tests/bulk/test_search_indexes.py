"""Search indexes of migration customers 0002, and search by pinyin/initials inside scope."""

from __future__ import annotations

import pytest
from django.db import connection

from kehu.customers.selectors import customer_search

INDEXES = {"customers_name_trgm", "customers_pinyin_trgm", "customers_initials_trgm", "customers_uscc_prefix"}


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_has_trigram_and_prefix_indexes(db):
    assert INDEXES <= _index_names()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_uses_the_trigram_index_for_a_substring(db):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM customers_customer WHERE name LIKE %s", ["%银行%"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN SELECT id FROM customers_customer WHERE uscc LIKE %s", ["9110%"])
        prefix_plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "customers_name_trgm" in plan
    assert "customers_uscc_prefix" in prefix_plan


def test_pinyin_and_initials_search_stays_inside_scope(world):
    bank = world.enterprise(name="中国银行股份有限公司", uscc="911000001000013428")
    for q in ("zgyh", "zhongguoyinhang", "yinhang"):
        assert list(customer_search(user=world.bj_cm, q=q)) == [bank], q
        assert list(customer_search(user=world.sh_cm, q=q)) == [], q
