"""core.reads: a queryset compiled once per connection gives the ORM's own objects (issue 17, P9)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from kehu.core import reads
from kehu.core.errors import NotFound
from kehu.core.models import User
from kehu.customers import selectors
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def _orm(pk: int) -> Customer | None:
    return Customer.objects.select_related("org_unit", "manager").filter(pk=pk, pi_restricted=False).first()


BY_ID = reads.Prepared(
    lambda pk: Customer.objects.select_related("org_unit", "manager").filter(pk=pk, pi_restricted=False), arity=1)


def _same(a: Customer, b: Customer) -> None:
    for field in Customer._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.attname
        assert type(getattr(a, field.attname)) is type(getattr(b, field.attname)), field.attname
    assert a._state.adding is False and a._state.db == b._state.db
    # select_related's objects come with the row, not from a query on first access.
    assert {"org_unit", "manager"} <= a._state.fields_cache.keys()
    assert a.org_unit.__dict__.keys() == b.org_unit.__dict__.keys()
    assert {k: v for k, v in a.org_unit.__dict__.items() if k != "_state"} == \
        {k: v for k, v in b.org_unit.__dict__.items() if k != "_state"}
    if b.manager_id is None:
        assert a.manager is None
    else:
        assert {k: v for k, v in a.manager.__dict__.items() if k != "_state"} == \
            {k: v for k, v in b.manager.__dict__.items() if k != "_state"}


def test_the_prepared_lookup_returns_the_orms_objects_field_for_field(world):
    person = world.individual(name="张三丰", id_number="11010519491231002X", phone="13812345678",
                              address="北京市朝阳区建国路 1 号", email="zsf@example.com")
    firm = world.enterprise(registered_capital_amount=Decimal("12345678.90"))
    Customer.objects.filter(pk=firm.pk).update(manager=None)
    for pk in (person.pk, firm.pk):
        found = BY_ID.first(pk)
        assert found is not None
        _same(found, _orm(pk))
    # Personal fields come back decrypted, as the ORM gives them (they are stored encrypted).
    assert BY_ID.first(person.pk).id_number == "11010519491231002X"
    assert BY_ID.first(firm.pk).registered_capital_amount == Decimal("12345678.90")
    assert BY_ID.first(firm.pk).manager is None


def test_it_reads_the_database_every_time_and_sends_one_statement(world):
    firm = world.enterprise()
    assert BY_ID.first(firm.pk).name == firm.name
    Customer.objects.filter(pk=firm.pk).update(name="改名后的公司")
    with CaptureQueriesContext(connection) as ctx:
        found = BY_ID.first(firm.pk)
        assert found.name == "改名后的公司"
        assert found.org_unit.code == "BJ" and found.manager.username == "bj_cm"
    assert len(ctx.captured_queries) == 1
    Customer.objects.filter(pk=firm.pk).update(pi_restricted=True)  # the compiled condition still holds
    assert BY_ID.first(firm.pk) is None
    assert BY_ID.first(10**9) is None
    assert BY_ID.all(firm.pk) == []


def test_arguments_must_be_integers_and_appear_once():
    with pytest.raises(TypeError):
        BY_ID.first("1")
    with pytest.raises(TypeError):
        BY_ID.first(True)
    with pytest.raises(TypeError):
        BY_ID.first(1, 2)
    twice = reads.Prepared(lambda pk: Customer.objects.filter(pk=pk) | Customer.objects.filter(manager_id=pk),
                           arity=1)
    with pytest.raises(ValueError):
        twice.first(1)
    with pytest.raises(ValueError):
        reads.Prepared(lambda pk: Customer.objects.filter(pk=pk), arity=0)


def test_customer_get_uses_it_and_keeps_scope_and_the_legal_hold(world):
    mine = world.enterprise()
    theirs = world.enterprise(by=world.sh_cm, org="SH")
    assert selectors.customer_get(user=world.bj_cm, customer_id=mine.pk).pk == mine.pk
    with pytest.raises(NotFound):
        selectors.customer_get(user=world.bj_cm, customer_id=theirs.pk)
    Customer.objects.filter(pk=mine.pk).update(pi_restricted=True)
    with pytest.raises(NotFound):
        selectors.customer_get(user=world.bj_cm, customer_id=mine.pk)


@pytest.mark.django_db(transaction=True)
def test_each_threads_connection_compiles_its_own_plan(tworld):
    firms = [tworld.enterprise() for _ in range(4)]
    prepared = reads.Prepared(
        lambda pk: Customer.objects.select_related("org_unit", "manager").filter(pk=pk), arity=1)
    seen: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            for _ in range(20):
                for firm in firms:
                    found = prepared.first(firm.pk)
                    assert found is not None and found.name == firm.name
                    assert isinstance(found.manager, User)
            with lock:
                # this thread's connection has a plan of its own, compiled on it
                seen.append((id(connections["default"]), connections["default"] in prepared._plans))
        except BaseException as exc:  # noqa: BLE001 (reported to the main thread)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({conn for conn, _ in seen}) == 4
    assert all(has_plan for _, has_plan in seen)
