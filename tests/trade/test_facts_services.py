"""Recording the trade facts through the services: validation, idempotent references, corrections, audit,
scope, the tie of invoices to deliveries, payments against what is open, and the figures the selectors give."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from tests.trade import facts_world

from kehu.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.trade import selectors
from kehu.trade.events import TradeFactEvent
from kehu.trade.models import Delivery, Invoice, Payment, SalesRecord
from kehu.trade.services import facts

fworld, customer, no_credit_guard = facts_world.fworld, facts_world.customer, facts_world.no_credit_guard

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


@pytest.fixture(autouse=True)
def _facts_only(no_credit_guard):
    """These tests are about the facts; test_the_real_credit_check_* uses the trade credit module's guard."""


def events(code: int) -> int:
    return AuditEvent.objects.filter(event_code=code).count()


# ----------------------------------------------------------------------------- sales records


def test_sales_record_is_idempotent_by_reference_and_corrections_are_audited(fworld, customer):
    first = facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=LAST_MONTH, amount="120000.50",
                               reference="S-1")
    assert first.outcome == "created" and first.fact.amount == Decimal("120000.50")
    row = AuditEvent.objects.get(event_code=TradeFactEvent.SALES_RECORDED)
    assert row.customer_id == customer.pk and row.new_values["amount"] == "120000.50"
    again = facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=LAST_MONTH.isoformat()[:7],
                               amount=Decimal("120000.50"), reference="S-1")
    assert again.outcome == "unchanged" and SalesRecord.objects.count() == 1
    assert events(TradeFactEvent.SALES_CORRECTED) == 0
    fixed = facts.sales_record(actor=fworld.bj_office, customer_id=customer.pk, period=LAST_MONTH, amount="99000",
                               reference="S-1")
    assert fixed.outcome == "updated" and SalesRecord.objects.get().amount == Decimal("99000.00")
    corrected = AuditEvent.objects.get(event_code=TradeFactEvent.SALES_CORRECTED)
    assert corrected.old_values["amount"] == "120000.50" and corrected.new_values["amount"] == "99000.00"
    with pytest.raises(Conflict) as refused:
        facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=LAST_MONTH, amount="1",
                           reference="S-1", allow_update=False)
    assert refused.value.code == "duplicate_reference"
    assert SalesRecord.objects.get().amount == Decimal("99000.00")


@pytest.mark.parametrize("field,value,code", [
    ("period", "2026-10-15", "period_not_month_start"),
    ("period", "2026-13", "invalid_input"),
    ("period", "next month", "invalid_input"),
    ("amount", "-1", "out_of_range"),
    ("amount", 1.5, "invalid_input"),
    ("amount", "1.234", "invalid_input"),
    ("amount", "", "required"),
    ("reference", "", "required"),
    ("reference", "x" * 65, "too_long"),
    ("currency", "USD", "currency_not_supported"),
])
def test_sales_record_refuses_bad_input(fworld, customer, field, value, code):
    values = {"period": LAST_MONTH, "amount": "10.00", "reference": "S-9", "currency": "CNY", field: value}
    with pytest.raises(InvalidInput) as refused:
        facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, **values)
    assert refused.value.code == code
    assert not SalesRecord.objects.exists() and events(TradeFactEvent.SALES_RECORDED) == 0


def test_sales_cannot_be_recorded_for_a_future_month(fworld, customer):
    next_month = (THIS_MONTH + timedelta(days=32)).replace(day=1)
    with pytest.raises(InvalidInput) as refused:
        facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=next_month, amount="1", reference="F")
    assert refused.value.code == "future_date"
    facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=THIS_MONTH, amount="1", reference="F")


def test_scope_and_role_decide_who_records_sales(fworld, customer):
    kw = {"customer_id": customer.pk, "period": LAST_MONTH, "amount": "5", "reference": "S-2"}
    with pytest.raises(NotFound):  # another branch: the customer does not exist for them
        facts.sales_record(actor=fworld.sh_cm, **kw)
    with pytest.raises(NotFound):
        facts.sales_record(actor=fworld.sh_finance, **kw)
    with pytest.raises(PermissionDenied):  # reads the facts but records no sales
        facts.sales_record(actor=fworld.bj_auditor, **kw)
    with pytest.raises(PermissionDenied):  # finance records invoices and payments, not sales
        facts.sales_record(actor=fworld.bj_finance, **kw)
    with pytest.raises(NotFound):  # no trade permission at all: 404 like out of scope (issue 11, defect 13)
        facts.sales_record(actor=fworld.bj_dept, **kw)
    with pytest.raises(NotFound):  # limited to own customers; bj_cm manages this one
        facts.sales_record(actor=fworld.bj01_cm, **kw)
    with pytest.raises(NotFound):
        facts.sales_record(actor=fworld.bj_cm, **{**kw, "customer_id": 10**9})
    assert facts.sales_record(actor=fworld.bj_cm, **kw).created


def test_only_a_tradable_customer_trades_but_history_is_taken_as_it_was(fworld):
    prospect = fworld.enterprise()
    with pytest.raises(Conflict) as refused:
        facts.sales_record(actor=fworld.bj_cm, customer_id=prospect.pk, period=LAST_MONTH, amount="5", reference="P")
    assert refused.value.code == "customer_not_tradable"
    assert facts.sales_record(actor=fworld.bj_cm, customer_id=prospect.pk, period=LAST_MONTH, amount="5",
                              reference="P", history=True).created
    with pytest.raises(InvalidInput) as not_history:
        facts.sales_record(actor=fworld.bj_cm, customer_id=prospect.pk, period=THIS_MONTH, amount="5",
                           reference="P2", history=True)
    assert not_history.value.code == "not_history"


# ----------------------------------------------------------------------------- deliveries


def test_delivery_is_confirmed_partially_and_confirming_again_is_idempotent(fworld, customer):
    due = TODAY - timedelta(days=3)
    d = facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="D-1", due_on=due,
                              quantity_due="100", amount="50000.00").fact
    assert d.delivered_on is None and d.quantity_delivered == 0
    assert events(TradeFactEvent.DELIVERY_RECORDED) == 1
    done = facts.delivery_confirm(actor=fworld.bj_cm, delivery_id=d.pk, delivered_on=due, quantity_delivered="80")
    assert done.outcome == "updated" and done.fact.quantity_delivered == Decimal("80")
    assert events(TradeFactEvent.DELIVERY_CONFIRMED) == 1
    again = facts.delivery_confirm(actor=fworld.bj_cm, delivery_id=d.pk, delivered_on=due.isoformat(),
                                   quantity_delivered="80.0000")
    assert again.outcome == "unchanged" and events(TradeFactEvent.DELIVERY_CORRECTED) == 0
    facts.delivery_confirm(actor=fworld.bj_cm, delivery_id=d.pk, delivered_on=due, quantity_delivered="100")
    assert events(TradeFactEvent.DELIVERY_CORRECTED) == 1
    # partial: 80 of 100 shipped is worth 40,000 of the 50,000 (pro rata); now all of it
    assert selectors.shipped_not_invoiced(customer_id=customer.pk) == Decimal("50000.00")


@pytest.mark.parametrize("kw,code", [
    ({"quantity_delivered": "101"}, "over_delivery"),
    ({"delivered_on": "2199-01-01"}, "future_date"),
    ({"quantity_delivered": "0"}, "not_positive"),
    ({"quantity_delivered": "1.00001"}, "invalid_input"),
    ({"delivered_on": ""}, "required"),
])
def test_delivery_confirmation_refuses_impossible_figures(fworld, customer, kw, code):
    d = facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="D-2", due_on=TODAY,
                              quantity_due="100", amount="10.00").fact
    values = {"delivered_on": TODAY, "quantity_delivered": "50", **kw}
    with pytest.raises(InvalidInput) as refused:
        facts.delivery_confirm(actor=fworld.bj_cm, delivery_id=d.pk, **values)
    assert refused.value.code == code
    d.refresh_from_db()
    assert d.delivered_on is None


def test_delivery_record_refuses_a_delivered_quantity_without_a_day_and_a_zero_quantity_due(fworld, customer):
    with pytest.raises(InvalidInput) as no_day:
        facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="D", due_on=TODAY,
                              quantity_due="5", amount="1", quantity_delivered="5")
    assert no_day.value.code == "required"
    with pytest.raises(InvalidInput) as zero:
        facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="D", due_on=TODAY,
                              quantity_due="0", amount="1")
    assert zero.value.code == "not_positive"
    with pytest.raises(InvalidInput) as invoiced:  # marked billed without an invoice: history only
        facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="D", due_on=TODAY,
                              quantity_due="5", amount="1", invoiced=True)
    assert invoiced.value.code == "not_history"
    assert not Delivery.objects.exists()


# ----------------------------------------------------------------------------- invoices


def _delivered(fworld, customer, ref: str, *, amount="10000.00", due="10", delivered="10", on=None) -> Delivery:
    on = on or TODAY - timedelta(days=20)
    return facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference=ref, due_on=on,
                                 quantity_due=due, amount=amount, delivered_on=on, quantity_delivered=delivered).fact


def test_invoice_bills_delivered_goods_up_to_their_shipped_value(fworld, customer):
    d1 = _delivered(fworld, customer, "D-1")
    d2 = _delivered(fworld, customer, "D-2", amount="6000.00", due="10", delivered="5")  # half shipped: 3000
    issued = TODAY - timedelta(days=15)
    with pytest.raises(Conflict) as too_much:
        facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="INV-1", issued_on=issued,
                             due_on=issued + timedelta(days=30), amount="13000.01",
                             delivery_references=["D-1", "D-2"])
    assert too_much.value.code == "invoice_exceeds_deliveries"
    inv = facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="INV-1",
                               issued_on=issued, due_on=issued + timedelta(days=30), amount="13000.00",
                               delivery_references="D-1; D-2").fact
    assert set(inv.deliveries.values_list("pk", flat=True)) == {d1.pk, d2.pk}
    assert Delivery.objects.filter(invoiced=True).count() == 2
    audit = AuditEvent.objects.get(event_code=TradeFactEvent.INVOICE_RECORDED)
    assert audit.new_values["deliveries"] == ["D-1", "D-2"] and audit.new_values["amount"] == "13000.00"
    # the same invoice again: nothing changes
    again = facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="INV-1",
                                 issued_on=issued, due_on=issued + timedelta(days=30), amount="13000.00",
                                 delivery_references=["D-2", "D-1"])
    assert again.outcome == "unchanged"
    # a delivery billed once is not billed again by another invoice
    with pytest.raises(Conflict) as twice:
        facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="INV-2", issued_on=issued,
                             due_on=issued, amount="1.00", delivery_references=["D-1"])
    assert twice.value.code == "delivery_invoiced"
    # a correction that drops D-2 releases it for another invoice
    fixed = facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="INV-1",
                                 issued_on=issued, due_on=issued + timedelta(days=30), amount="10000.00",
                                 delivery_references=["D-1"])
    assert fixed.outcome == "updated"
    d2.refresh_from_db()
    assert d2.invoice_id is None and not d2.invoiced
    assert AuditEvent.objects.get(event_code=TradeFactEvent.INVOICE_CORRECTED).old_values["deliveries"] == ["D-1",
                                                                                                          "D-2"]
    # an invoiced delivery keeps its quantities
    with pytest.raises(Conflict) as locked:
        facts.delivery_confirm(actor=fworld.bj_cm, delivery_id=d1.pk, delivered_on=d1.delivered_on,
                               quantity_delivered="9")
    assert locked.value.code == "delivery_invoiced"


def test_invoice_refuses_undelivered_or_unknown_deliveries_and_bad_dates(fworld, customer):
    facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="D-9", due_on=TODAY,
                          quantity_due="1", amount="10.00")
    kw = {"actor": fworld.bj_finance, "customer_id": customer.pk, "reference": "I", "issued_on": TODAY,
          "due_on": TODAY, "amount": "5.00"}
    with pytest.raises(Conflict) as undelivered:
        facts.invoice_record(**kw, delivery_references=["D-9"])
    assert undelivered.value.code == "delivery_not_delivered"
    with pytest.raises(InvalidInput) as unknown:
        facts.invoice_record(**kw, delivery_references=["NOPE"])
    assert unknown.value.code == "unknown_delivery"
    with pytest.raises(InvalidInput) as early:
        facts.invoice_record(**{**kw, "due_on": TODAY - timedelta(days=1)}, delivery_references=["D-9"])
    assert early.value.code == "due_before_issue"
    with pytest.raises(InvalidInput) as zero:
        facts.invoice_record(**{**kw, "amount": "0"}, delivery_references=["D-9"])
    assert zero.value.code == "not_positive"
    with pytest.raises(PermissionDenied):  # sales does not invoice
        facts.invoice_record(**{**kw, "actor": fworld.bj_cm}, delivery_references=["D-9"])
    assert not Invoice.objects.exists()


def test_a_free_standing_invoice_passes_the_credit_guard_and_history_is_not_rechecked(fworld, customer,
                                                                                     monkeypatch):
    calls = []

    def guard(*, customer, amount, actor, what=""):
        calls.append(amount)
        if amount > Decimal("1000"):
            raise DomainError("over the limit", code="credit_over_limit")

    monkeypatch.setattr(facts, "receivable_guard", lambda: guard)
    kw = {"actor": fworld.bj_finance, "customer_id": customer.pk, "issued_on": TODAY, "due_on": TODAY}
    facts.invoice_record(**kw, reference="F-1", amount="800.00")
    with pytest.raises(DomainError) as refused:
        facts.invoice_record(**kw, reference="F-2", amount="1500.00")
    assert refused.value.code == "credit_over_limit"
    # a correction is checked for its increase only
    facts.invoice_record(**kw, reference="F-1", amount="1700.00")
    assert calls == [Decimal("800.00"), Decimal("1500.00"), Decimal("900.00")]
    assert set(Invoice.objects.values_list("reference", flat=True)) == {"F-1"}
    old = TODAY.replace(day=1) - timedelta(days=40)
    facts.invoice_record(**{**kw, "issued_on": old, "due_on": old}, reference="H-1", amount="99999.00",
                         history=True)
    assert len(calls) == 3
    # without the trade credit check, an invoice must bill deliveries or an order
    monkeypatch.setattr(facts, "receivable_guard", lambda: None)
    with pytest.raises(Conflict) as untied:
        facts.invoice_record(**kw, reference="F-3", amount="1.00")
    assert untied.value.code == "invoice_not_tied"


# ----------------------------------------------------------------------------- payments


def _invoice(fworld, customer, ref="INV-P", amount="10000.00", issued=None, due=None, shipped=None) -> Invoice:
    issued = issued or TODAY - timedelta(days=40)
    _delivered(fworld, customer, "D-" + ref, amount=amount, on=shipped or issued)
    return facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference=ref, issued_on=issued,
                                due_on=due or issued + timedelta(days=30), amount=amount,
                                delivery_references=["D-" + ref]).fact


def test_payments_never_exceed_what_is_open_on_the_invoice(fworld, customer):
    inv = _invoice(fworld, customer)
    paid_on = TODAY - timedelta(days=5)
    kw = {"actor": fworld.bj_finance, "customer_id": customer.pk, "paid_on": paid_on}
    facts.payment_record(**kw, reference="P-1", amount="6000.00", invoice_reference="INV-P")
    assert events(TradeFactEvent.PAYMENT_RECORDED) == 1
    with pytest.raises(Conflict) as too_much:
        facts.payment_record(**kw, reference="P-2", amount="4000.01", invoice_id=inv.pk)
    assert too_much.value.code == "payment_exceeds_open"
    facts.payment_record(**kw, reference="P-2", amount="4000.00", invoice_id=inv.pk)
    assert selectors.open_receivables(customer_id=customer.pk) == Decimal("0.00")
    # correcting P-1 upwards would overpay; downwards is fine and audited
    with pytest.raises(Conflict):
        facts.payment_record(**kw, reference="P-1", amount="6000.01", invoice_reference="INV-P")
    fixed = facts.payment_record(**kw, reference="P-1", amount="5000.00", invoice_reference="INV-P")
    assert fixed.outcome == "updated" and events(TradeFactEvent.PAYMENT_CORRECTED) == 1
    assert selectors.open_receivables(customer_id=customer.pk) == Decimal("1000.00")
    assert facts.payment_record(**kw, reference="P-1", amount="5000", invoice_reference="INV-P").outcome == "unchanged"
    # the invoice cannot drop below what was paid on it
    with pytest.raises(Conflict) as below:
        facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="INV-P",
                             issued_on=inv.issued_on, due_on=inv.due_on, amount="8999.99")
    assert below.value.code == "amount_below_paid"


@pytest.mark.parametrize("kw,exc,code", [
    ({"invoice_reference": "NOPE"}, InvalidInput, "unknown_invoice"),
    ({"invoice_reference": ""}, InvalidInput, "required"),
    ({"paid_on": "2000-01-01"}, InvalidInput, "paid_before_issue"),
    ({"paid_on": "2199-01-01"}, InvalidInput, "future_date"),
    ({"amount": "-5"}, InvalidInput, "out_of_range"),
    ({"amount": "0"}, InvalidInput, "not_positive"),
])
def test_payment_refuses_bad_input(fworld, customer, kw, exc, code):
    _invoice(fworld, customer)
    values = {"reference": "P", "paid_on": TODAY, "amount": "5.00", "invoice_reference": "INV-P", **kw}
    with pytest.raises(exc) as refused:
        facts.payment_record(actor=fworld.bj_finance, customer_id=customer.pk, **values)
    assert refused.value.code == code
    assert not Payment.objects.exists()


def test_a_terminated_customer_still_pays(fworld, customer):
    _invoice(fworld, customer)
    from kehu.customers.models import Customer

    Customer.objects.filter(pk=customer.pk).update(admission_status="terminated")
    assert facts.payment_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="P", paid_on=TODAY,
                                amount="5.00", invoice_reference="INV-P").created


# ----------------------------------------------------------------------------- figures


def test_receivables_overdue_and_unbilled_as_of_a_date(fworld, customer):
    d0 = TODAY - timedelta(days=100)
    inv_a = _invoice(fworld, customer, "A", amount="1000.00", issued=d0, due=d0 + timedelta(days=30))  # due -70
    _invoice(fworld, customer, "B", amount="500.00", issued=TODAY - timedelta(days=10),
             due=TODAY + timedelta(days=20), shipped=TODAY - timedelta(days=12))
    facts.payment_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="PA", amount="400.00",
                         paid_on=TODAY - timedelta(days=50), invoice_id=inv_a.pk)
    _delivered(fworld, customer, "U-1", amount="300.00", due="3", delivered="2", on=TODAY - timedelta(days=2))
    assert selectors.open_receivables(customer_id=customer.pk) == Decimal("1100.00")
    assert selectors.open_receivables(customer_id=customer.pk, as_of=TODAY - timedelta(days=60)) == Decimal("1000")
    assert selectors.open_receivables(customer_id=customer.pk, as_of=d0 - timedelta(days=1)) == Decimal("0")
    late = selectors.overdue(customer_id=customer.pk)
    assert (late.amount, late.invoices, late.max_days) == (Decimal("600.00"), 1, 70)
    rows = list(selectors.overdue_invoices(customer_id=customer.pk, as_of=TODAY))
    assert [(r.reference, r.days_overdue, r.open_amount) for r in rows] == [("A", 70, Decimal("600.00"))]
    assert selectors.overdue(customer_id=customer.pk, as_of=d0 + timedelta(days=30)).invoices == 0
    # 2 of 3 shipped: 200 of 300; before B was issued its delivery was unbilled too
    assert selectors.shipped_not_invoiced(customer_id=customer.pk) == Decimal("200.00")
    assert selectors.shipped_not_invoiced(customer_id=customer.pk, as_of=TODAY - timedelta(days=11)) == Decimal("500")
    assert selectors.shipped_not_invoiced(customer_id=customer.pk, as_of=d0 - timedelta(days=1)) == Decimal("0")


def test_monthly_sales_average_counts_only_months_with_sales(fworld, customer):
    m1 = LAST_MONTH
    m2 = (m1 - timedelta(days=1)).replace(day=1)
    m4 = (((m2 - timedelta(days=1)).replace(day=1)) - timedelta(days=1)).replace(day=1)
    for ref, month, amount in (("a", m1, "300"), ("b", m1, "100"), ("c", m2, "0"), ("d", m4, "200")):
        facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=month, amount=amount, reference=ref,
                           history=True)
    facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=THIS_MONTH, amount="999", reference="e")
    assert selectors.average_monthly_sales(customer_id=customer.pk) == Decimal("300.00")  # (400 + 200) / 2
    months = selectors.sales_by_month(customer_id=customer.pk, until=m1, months=4)
    assert [m for m, _v in months] == [m4, (m4 + timedelta(days=32)).replace(day=1), m2, m1]
    assert [v for _m, v in months] == [Decimal("200.00"), 0, 0, Decimal("400.00")]


def test_facts_list_is_scoped(fworld, customer):
    facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=LAST_MONTH, amount="1", reference="s")
    assert selectors.customer_facts(user=fworld.bj_auditor, customer_id=customer.pk, kind="sales").count() == 1
    assert selectors.customer_facts(user=fworld.bj_finance, customer_id=customer.pk, kind="sales").count() == 1
    with pytest.raises(NotFound):
        selectors.customer_facts(user=fworld.sh_cm, customer_id=customer.pk, kind="sales")
    with pytest.raises(NotFound):  # no trade permission at all (issue 11, defect 13)
        selectors.customer_facts(user=fworld.bj_dept, customer_id=customer.pk, kind="sales")


# ----------------------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_cannot_overpay_an_invoice(tworld):
    facts_world.add_fact_users(tworld)
    c = tworld.admit(tworld.enterprise())
    inv = _invoice(tworld, c, "RACE", amount="1000.00")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay(ref: str) -> None:
        try:
            barrier.wait()
            facts.payment_record(actor=tworld.bj_finance, customer_id=c.pk, reference=ref, paid_on=TODAY,
                                 amount="600.00", invoice_id=inv.pk)
            outcomes.append("paid")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(ref,)) for ref in ("R-1", "R-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid", "payment_exceeds_open"]
    assert Payment.objects.filter(invoice=inv).count() == 1
    assert selectors.open_receivables(customer_id=c.pk) == Decimal("400.00")


def test_period_helper_accepts_month_text(fworld, customer):
    r = facts.sales_record(actor=fworld.bj_cm, customer_id=customer.pk, period=f"{LAST_MONTH:%Y-%m}", amount="2",
                           reference="m")
    assert r.fact.period == LAST_MONTH and isinstance(r.fact.period, date)


def test_the_real_credit_check_refuses_shipping_without_an_order_to_a_customer_without_a_limit(fworld, customer,
                                                                                             monkeypatch):
    monkeypatch.undo()  # the trade credit module's own receivable_guard
    if facts.receivable_guard() is None:
        pytest.skip("the trade credit module provides no receivable_guard")
    with pytest.raises(DomainError) as refused:
        facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="G-1", due_on=TODAY,
                              quantity_due="1", amount="100.00", delivered_on=TODAY, quantity_delivered="1")
    assert refused.value.code.startswith("credit_")
    with pytest.raises(DomainError) as invoice:
        facts.invoice_record(actor=fworld.bj_finance, customer_id=customer.pk, reference="G-2", issued_on=TODAY,
                             due_on=TODAY, amount="100.00")
    assert invoice.value.code.startswith("credit_")
    assert not Delivery.objects.exists() and not Invoice.objects.exists()
    # not shipped yet: recording the contracted delivery adds no exposure
    assert facts.delivery_record(actor=fworld.bj_cm, customer_id=customer.pk, reference="G-3", due_on=TODAY,
                                 quantity_due="1", amount="100.00").created
