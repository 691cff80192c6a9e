"""Orders and the order-time credit check (L-5) against the real database: accept or hold, the release
authority by excess, release re-checked at release time, cancel/reject, ship and invoice, idempotency, scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from tests.tradecredit.credit_world import set_limit

from kehu.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.customers.errors import CustomerNotTradable
from kehu.trade.models import Delivery, Invoice, OrderStatusChange, Payment, SalesOrder
from kehu.tradecredit import services
from kehu.tradecredit.errors import (
    CreditCheckFailed,
    IdempotencyMismatch,
    NoReleaseAuthority,
    OrderNumberTaken,
)
from kehu.tradecredit.events import TradeCreditEvent
from kehu.tradecredit.services import exposure_of

TODAY = timezone.localdate()


@pytest.fixture
def firm(cw):
    firm = cw.admit(cw.enterprise())
    set_limit(firm, "100000.00", 30)
    return firm


def invoice(customer, amount, *, due_days_ago=0, paid="0", ref=None):
    inv = Invoice.objects.create(customer=customer, reference=ref or f"INV-{Invoice.objects.count() + 1}",
                                 issued_on=TODAY - timedelta(days=due_days_ago + 30),
                                 due_on=TODAY - timedelta(days=due_days_ago), amount=D(amount))
    if D(paid) > 0:
        Payment.objects.create(invoice=inv, customer=customer, reference=f"PAY-{inv.pk}", paid_on=TODAY,
                               amount=D(paid))
    return inv


def place(cw, firm, amount, number=None, **kw):
    number = number or f"SO-{SalesOrder.objects.count() + 1}"
    return services.order_place(actor=kw.pop("actor", cw.bj_cm), customer_id=firm.pk, number=number, amount=amount,
                                **kw)


def test_an_order_that_fits_is_accepted_with_its_figures(cw, firm):
    invoice(firm, "30000.00", due_days_ago=-10, paid="10000.00")  # 20k open, not yet due
    Delivery.objects.create(customer=firm, reference="D-1", due_on=TODAY, delivered_on=TODAY, quantity_due=10,
                            quantity_delivered=10, amount=D("15000.00"))
    order = place(cw, firm, "65000.00")
    assert order.status == "accepted" and order.hold_reasons == [] and order.release_authority == ""
    f = order.check_figures
    assert (f["open_receivables"], f["shipped_not_invoiced"], f["open_orders"]) == ("20000.00", "15000.00", "0.00")
    assert f["exposure_after"] == "100000.00" and f["limit"] == "100000.00"
    assert list(OrderStatusChange.objects.filter(order=order).values_list("from_status", "to_status")) == \
        [("", "accepted")]
    event = AuditEvent.objects.get(event_code=TradeCreditEvent.ORDER_ACCEPTED)
    assert event.customer_id == firm.pk and event.new_values["amount"] == "65000.00"
    # the accepted order now counts: one cent more is held
    second = place(cw, firm, "0.01")
    assert second.status == "credit_hold" and second.hold_reasons == ["over_limit"]
    assert second.check_figures["open_orders"] == "65000.00"


@pytest.mark.parametrize(("amount", "authority"), [
    ("110000.00", "sales_manager"), ("110000.01", "finance_manager"), ("130000.00", "finance_manager"),
    ("130000.01", "general_manager")])
def test_the_release_authority_follows_the_excess(cw, firm, amount, authority):
    order = place(cw, firm, amount)
    assert order.status == "credit_hold" and order.release_authority == authority
    assert AuditEvent.objects.get(event_code=TradeCreditEvent.ORDER_HELD).new_values["release_authority"] == authority


def test_an_invoice_overdue_beyond_grace_holds_every_order(cw, firm):
    invoice(firm, "1000.00", due_days_ago=5)  # five days: within grace
    assert place(cw, firm, "100.00").status == "accepted"
    invoice(firm, "1000.00", due_days_ago=6)
    held = place(cw, firm, "100.00")
    assert held.status == "credit_hold" and held.hold_reasons == ["overdue"]
    assert held.release_authority == "finance_manager" and held.check_figures["overdue_invoices"] == 1
    with pytest.raises(NoReleaseAuthority):
        services.order_release(actor=cw.bj_sm, order_id=held.pk, note="客户承诺本周付款")
    services.order_release(actor=cw.bj_fm, order_id=held.pk, note="客户承诺本周付款")


def test_held_rejected_and_cancelled_orders_do_not_count(cw, firm):
    held = place(cw, firm, "150000.00")
    rejected = place(cw, firm, "120000.00")
    services.order_reject(actor=cw.bj_sm, order_id=rejected.pk, note="超额太多")
    cancelled = place(cw, firm, "40000.00")
    services.order_cancel(actor=cw.bj_cm, order_id=cancelled.pk, note="客户取消")
    figures = exposure_of(firm.pk)
    assert figures.open_orders == D("0.00") and held.status == "credit_hold"
    with pytest.raises(InvalidTransition):  # a cancelled order never comes back (no bypass by reopening)
        services.order_release(actor=cw.hq_gm, order_id=cancelled.pk, note="重新打开")


def test_release_is_judged_at_release_time(cw, firm):
    inv = invoice(firm, "50000.00", due_days_ago=-20)
    held = place(cw, firm, "70000.00")  # 120k against 100k: 20 per cent, finance manager
    assert held.release_authority == "finance_manager"
    with pytest.raises(NoReleaseAuthority):
        services.order_release(actor=cw.bj_sm, order_id=held.pk, note="老客户")
    Payment.objects.create(invoice=inv, customer=firm, reference="P-1", paid_on=TODAY, amount=D("15000.00"))
    released = services.order_release(actor=cw.bj_sm, order_id=held.pk, note="客户已回款一万五")  # now 5 per cent
    assert released.status == "accepted" and released.release_authority == "sales_manager"
    assert released.check_figures["release"]["exposure_after"] == "105000.00"
    assert released.decided_by == cw.bj_sm
    event = AuditEvent.objects.get(event_code=TradeCreditEvent.ORDER_RELEASED)
    assert event.new_values["authority"] == "sales_manager" and event.reason == "客户已回款一万五"
    with pytest.raises(InvalidTransition):
        services.order_release(actor=cw.hq_gm, order_id=held.pk, note="再放一次")


def test_general_manager_releases_any_excess_and_others_cannot(cw, firm):
    held = place(cw, firm, "500000.00")
    for user in (cw.bj_sm, cw.bj_fm):
        with pytest.raises(NoReleaseAuthority):
            services.order_release(actor=user, order_id=held.pk, note="战略客户")
    with pytest.raises(PermissionDenied):
        services.order_release(actor=cw.bj_cm, order_id=held.pk, note="战略客户")
    with pytest.raises(NotFound):
        services.order_release(actor=cw.sh_sm, order_id=held.pk, note="战略客户")
    with pytest.raises(InvalidInput):
        services.order_release(actor=cw.hq_gm, order_id=held.pk, note="")
    assert services.order_release(actor=cw.hq_gm, order_id=held.pk, note="战略客户").status == "accepted"


def test_ship_and_invoice_move_the_amount_without_changing_exposure(cw, firm):
    order = place(cw, firm, "40000.00")
    before = exposure_of(firm.pk).total
    services.order_ship(actor=cw.bj_cm, order_id=order.pk)
    delivery = Delivery.objects.get(order=order)
    assert delivery.amount == D("40000.00") and delivery.delivered_on == TODAY and not delivery.invoiced
    mid = exposure_of(firm.pk)
    assert (mid.open_orders, mid.shipped_not_invoiced, mid.total) == (D("0.00"), D("40000.00"), before)
    with pytest.raises(PermissionDenied):
        services.order_invoice(actor=cw.bj_cm, order_id=order.pk, reference="FP-1")
    services.order_invoice(actor=cw.bj_fo, order_id=order.pk, reference="FP-1")
    inv = Invoice.objects.get(order=order)
    assert inv.amount == D("40000.00") and inv.due_on == TODAY + timedelta(days=30)
    delivery.refresh_from_db()
    assert delivery.invoiced and delivery.invoice_id == inv.pk
    after = exposure_of(firm.pk)
    assert (after.shipped_not_invoiced, after.open_receivables, after.total) == (D("0.00"), D("40000.00"), before)
    assert [s for s in SalesOrder.objects.get(pk=order.pk).status_changes.values_list("to_status", flat=True)] == \
        ["accepted", "shipped", "invoiced"]
    with pytest.raises(InvalidTransition):
        services.order_ship(actor=cw.bj_cm, order_id=order.pk)
    with pytest.raises(InvalidTransition):  # a held order cannot ship
        services.order_ship(actor=cw.bj_cm, order_id=place(cw, firm, "999999.00").pk)


def test_the_same_idempotency_key_gives_the_same_order(cw, firm):
    first = place(cw, firm, "1000.00", number="SO-K1", idempotency_key="k-1")
    again = place(cw, firm, "1000.00", number="SO-K1", idempotency_key="k-1")
    assert again.pk == first.pk and SalesOrder.objects.count() == 1
    assert AuditEvent.objects.filter(event_code=TradeCreditEvent.ORDER_ACCEPTED).count() == 1
    with pytest.raises(IdempotencyMismatch):
        place(cw, firm, "2000.00", number="SO-K1", idempotency_key="k-1")
    with pytest.raises(OrderNumberTaken):
        place(cw, firm, "1000.00", number="SO-K1")
    # another user's key is another key
    other = place(cw, firm, "1000.00", number="SO-K2", idempotency_key="k-1", actor=cw.bj_sm)
    assert other.pk != first.pk


def test_orders_need_a_tradable_customer_in_scope_and_a_valid_body(cw, firm):
    prospect = cw.enterprise()
    with pytest.raises(CustomerNotTradable):
        place(cw, prospect, "10.00")
    with pytest.raises(NotFound):
        place(cw, firm, "10.00", actor=cw.sh_cm)
    with pytest.raises(PermissionDenied):
        place(cw, firm, "10.00", actor=cw.bj_auditor)
    for bad in ("0", "-1", "1.001", "abc", None):
        with pytest.raises(InvalidInput):
            place(cw, firm, bad)
    with pytest.raises(InvalidInput):
        services.order_place(actor=cw.bj_cm, customer_id=firm.pk, number="", amount="1.00")
    assert SalesOrder.objects.count() == 0


def test_receivable_guard_refuses_what_does_not_fit(cw, firm):
    from django.db import transaction

    invoice(firm, "90000.00", due_days_ago=-5)
    with transaction.atomic():
        services.receivable_guard(customer=firm, amount="10000.00", actor=cw.bj_fo)
    with pytest.raises(CreditCheckFailed) as refused:
        services.receivable_guard(customer=firm, amount="10000.01", actor=cw.bj_fo)
    assert refused.value.http_status == 409 and refused.value.code == "credit_over_limit"
    invoice(firm, "1.00", due_days_ago=10)
    with pytest.raises(CreditCheckFailed) as overdue:
        services.receivable_guard(customer=firm, amount="1.00", actor=cw.bj_fo)
    assert overdue.value.code == "credit_overdue"


def test_a_stand_alone_invoice_of_the_facts_passes_the_same_guard(cw, firm):
    from kehu.trade.services import facts

    invoice(firm, "95000.00", due_days_ago=-5)
    with pytest.raises(CreditCheckFailed):
        facts.invoice_record(actor=cw.bj_fo, customer_id=firm.pk, reference="F-2", issued_on=TODAY,
                             due_on=TODAY + timedelta(days=30), amount="5000.01")
    assert not Invoice.objects.filter(reference="F-2").exists()
    facts.invoice_record(actor=cw.bj_fo, customer_id=firm.pk, reference="F-2", issued_on=TODAY,
                         due_on=TODAY + timedelta(days=30), amount="5000.00")
    assert place(cw, firm, "0.01").status == "credit_hold"


def test_an_approved_allowance_reduces_the_receivables_the_check_counts(cw, firm):
    """S-12: an approved allowance or credit note (written by the helpdesk) reduces the customer's
    receivables, so an order that did not fit fits once it is approved; the reduction never goes below zero."""
    from kehu.helpdesk.models import ReceivableReduction, Ticket
    from kehu.trade.selectors import open_receivables

    invoice(firm, "90000.00", due_days_ago=-10)  # open, not yet due
    assert place(cw, firm, "20000.00").status == "credit_hold"  # 90k + 20k > 100k

    def reduction(amount, ref):
        ticket = Ticket.objects.create(kind="allowance", customer=firm, org_path=firm.org_path, subject=ref,
                                       created_by=cw.bj_cm, received_at=timezone.now(), amount=D(amount))
        return ReceivableReduction.objects.create(customer=firm, reduction_amount=D(amount), source="allowance",
                                                  effective_date=TODAY, ticket=ticket)

    reduction("15000.00", "折让一")
    assert exposure_of(firm.pk).open_receivables == D("75000.00")
    assert open_receivables(customer_id=firm.pk) == D("75000.00")
    assert place(cw, firm, "20000.00").status == "accepted"  # 75k + 20k (the held order does not count)
    reduction("200000.00", "红字发票")
    assert exposure_of(firm.pk).open_receivables == D("0.00")
    assert open_receivables(customer_id=firm.pk) == D("0.00")
