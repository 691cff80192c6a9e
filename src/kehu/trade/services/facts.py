"""Record the trade facts: sales records, deliveries, invoices and payments (domain spec 3A facts).

Every fact has a ``reference`` (the business document number) that is unique per customer. Recording a
reference again is idempotent: the same values change nothing; different values correct the fact (audited
as a correction) when the caller allows updates (a create-only import does not) and the correction keeps
the books consistent (a payment never exceeds what is open on its invoice, an invoice never drops below
what was paid on it, an invoiced delivery keeps its quantities).

Each service is one transaction with its audit row. Sales (customer manager, customer office) record
sales and deliveries; finance records invoices and payments (permissions.py).

History: facts of closed months (before the current month) that an import or the demo loads with
``history=True`` are taken as they are: they are not re-checked by the credit check and may belong to a
customer that no longer trades. Everything else needs a tradable (qualified or active) customer, and an
invoice that bills neither delivered goods nor an order creates a receivable that must pass the trade
credit check (``kehu.tradecredit.services.receivable_guard``, registered in ``kehu.trade.hooks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, NotFound
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import day as parse_day
from kehu.core.inputs import plain_decimal, positive_amount
from kehu.core.inputs import text as parse_text
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.customers.rules import TRADABLE
from kehu.trade import rules, selectors
from kehu.trade.errors import CustomerNotTradable, DeliveryInvoiced, DuplicateReference
from kehu.trade.events import TradeFactEvent
from kehu.trade.hooks import receivable_guard
from kehu.trade.models import Delivery, Invoice, OrderStatus, Payment, SalesOrder, SalesRecord
from kehu.trade.permissions import TradePerm

# An order on hold, refused or cancelled cannot be invoiced: billing it would bypass the credit check.
INVOICEABLE_ORDER = (OrderStatus.ACCEPTED, OrderStatus.SHIPPED, OrderStatus.INVOICED)


@dataclass(frozen=True)
class Recorded:
    """What recording a fact did: ``outcome`` is "created", "updated" or "unchanged"."""

    fact: Model
    outcome: str

    @property
    def created(self) -> bool:
        return self.outcome == "created"


# ----------------------------------------------------------------------------- parsing


def _reference(value: Any, field: str = "reference") -> str:
    return parse_text(value, field, max_length=64, required=True)


def _quantity(value: Any, field: str, *, positive: bool = False, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field, code="required")
        return None
    number = plain_decimal(value, field, _("%(field)s must be a decimal quantity.") % {"field": field})
    if not number.is_finite() or number < 0 or number >= rules.MAX_QUANTITY:
        raise InvalidInput(_("%(field)s is out of range.") % {"field": field}, field=field, code="out_of_range")
    if number != number.quantize(Decimal("0.0001")):
        raise InvalidInput(_("%(field)s has more than 4 decimal places.") % {"field": field}, field=field)
    if positive and number <= 0:
        raise InvalidInput(_("%(field)s must be more than 0.") % {"field": field}, field=field, code="not_positive")
    return number.quantize(Decimal("0.0001"))


def _date(value: Any, field: str, *, required: bool = True, not_future: bool = False) -> date | None:
    day = parse_day(value, field, required=required)
    if day is not None and not_future and day > timezone.localdate():
        raise InvalidInput(_("%(field)s cannot be in the future.") % {"field": field}, field=field, code="future_date")
    return day


def _period(value: Any) -> date:
    """A sales month: the first day of a month, not after the current month."""
    if isinstance(value, str) and len(value.strip()) == 7:
        value = value.strip() + "-01"
    month = parse_day(value, "period", required=True)
    if month.day != 1:
        raise InvalidInput(_("The month must be given as its first day (YYYY-MM-01)."), field="period",
                           code="period_not_month_start")
    if month > timezone.localdate().replace(day=1):
        raise InvalidInput(_("Sales cannot be recorded for a future month."), field="period", code="future_date")
    return month


def _currency(value: Any) -> str:
    code = (value or "CNY").strip().upper() if isinstance(value, str) or value is None else ""
    if code not in rules.CURRENCIES:
        raise InvalidInput(_("Only amounts in %(c)s can be recorded.") % {"c": ", ".join(rules.CURRENCIES)},
                           field="currency", code="currency_not_supported")
    return code


def _history_ok(history: bool, day: date) -> None:
    """History is what happened in closed months; the current month is never history."""
    if history and day >= timezone.localdate().replace(day=1):
        raise InvalidInput(_("Only facts of closed months (before the current month) can be recorded as history."),
                           code="not_history")


# ----------------------------------------------------------------------------- shared steps


def _customer(actor: User | None, customer_id: Any, perm: str, *, history: bool, tradable: bool = True) -> Customer:
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        raise InvalidInput(_("customer_id must be a number."), field="customer_id")
    customer = selectors.customer_in_scope(user=actor, customer_id=customer_id, perm=perm)
    if tradable and not history and customer.admission_status not in TRADABLE:
        raise CustomerNotTradable(_("Only a qualified or active customer can trade; this one is %(s)s.")
                                  % {"s": customer.get_admission_status_display()})
    return customer


def _values(obj: Model, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, date) else (str(value) if value is not None else None)
    return out


def _existing(model, customer: Customer, reference: str):
    return model.objects.select_for_update().filter(customer=customer, reference=reference).first()


def _refuse_update(kind: str, reference: str) -> None:
    raise DuplicateReference(_("%(kind)s %(ref)s is already recorded with other values; corrections are not "
                               "allowed here.") % {"kind": kind, "ref": reference})


def _save_new(obj: Model) -> None:
    """Insert; a concurrent insert of the same reference surfaces as a conflict, not a server error."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        raise DuplicateReference(_("This reference was recorded at the same time by someone else; record it "
                                   "again.")) from None


def _changed(obj: Model, new: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in new.items() if getattr(obj, k) != v}


def _apply(obj: Model, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(obj, key, value)
    obj.save(update_fields=list(changes))


# ----------------------------------------------------------------------------- sales records


SALES_FIELDS = ("period", "amount", "currency", "reference")


@transaction.atomic
def sales_record(*, actor: User | None, customer_id: int, period: Any, amount: Any, reference: Any,
                 currency: Any = "CNY", history: bool = False, allow_update: bool = True,
                 channel: str = "") -> Recorded:
    """Record (or correct) a customer's sales of one month (客户采购量, G-6 purchase volume)."""
    month = _period(period)
    _history_ok(history, month)
    values = {"period": month, "amount": parse_amount(amount, "amount", required=True), "currency": _currency(currency)}
    ref = _reference(reference)
    customer = _customer(actor, customer_id, TradePerm.SALES_RECORD, history=history)
    row = _existing(SalesRecord, customer, ref)
    if row is None:
        row = SalesRecord(customer=customer, reference=ref, created_by=_who(actor), **values)
        _save_new(row)
        audit_record(actor=actor, event_code=TradeFactEvent.SALES_RECORDED, object_type="sales_record",
                     object_id=row.pk, customer_id=customer.pk, new=_values(row, SALES_FIELDS), channel=channel)
        return Recorded(row, "created")
    changes = _changed(row, values)
    if not changes:
        return Recorded(row, "unchanged")
    if not allow_update:
        _refuse_update(_("Sales record"), ref)
    old = _values(row, SALES_FIELDS)
    _apply(row, changes)
    audit_record(actor=actor, event_code=TradeFactEvent.SALES_CORRECTED, object_type="sales_record",
                 object_id=row.pk, customer_id=customer.pk, old=old, new=_values(row, SALES_FIELDS), channel=channel)
    return Recorded(row, "updated")


def _who(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


# ----------------------------------------------------------------------------- deliveries


DELIVERY_FIELDS = ("reference", "due_on", "quantity_due", "amount", "delivered_on", "quantity_delivered",
                   "invoiced", "order_id")


def _order(customer: Customer, order_id: Any) -> SalesOrder | None:
    if order_id in (None, ""):
        return None
    if not isinstance(order_id, int) or isinstance(order_id, bool):
        raise InvalidInput(_("order_id must be a number."), field="order_id")
    order = SalesOrder.objects.filter(pk=order_id, customer=customer).first()
    if order is None:
        raise InvalidInput(_("This customer has no such order."), field="order_id", code="unknown_order")
    return order


def _check_delivered(due: Decimal, delivered_on: date | None, delivered: Decimal | None) -> None:
    problem = rules.delivery_problem(due, delivered_on, delivered)
    if problem == "over_delivery":
        raise InvalidInput(_("The quantity delivered cannot exceed the quantity due."), field="quantity_delivered",
                           code="over_delivery")
    if problem == "delivered_on_missing":
        raise InvalidInput(_("A delivered quantity needs the day it was delivered."), field="delivered_on",
                           code="required")
    if problem == "quantity_delivered_missing":
        raise InvalidInput(_("A delivery confirmed as delivered needs the quantity delivered."),
                           field="quantity_delivered", code="required")


def _guard_invoiced_delivery(row: Delivery, changes: dict[str, Any]) -> None:
    """An invoiced delivery keeps what the invoice billed: its quantities, amount and delivery."""
    if row.invoiced and {"quantity_due", "quantity_delivered", "amount"} & set(changes):
        raise DeliveryInvoiced(_("Delivery %(ref)s is invoiced; its quantities and amount can no longer change.")
                               % {"ref": row.reference})
    if row.invoiced and "delivered_on" in changes and changes["delivered_on"] is None:
        raise DeliveryInvoiced(_("Delivery %(ref)s is invoiced; it stays delivered.") % {"ref": row.reference})


def _check_shipment(actor, customer: Customer, added: Decimal, *, order_id: int | None, history: bool) -> None:
    """Goods shipped without an order become shipped-but-unbilled exposure, so the increase passes the
    trade credit check when that module provides it (an order was checked when it was placed)."""
    if history or order_id is not None or added <= 0:
        return
    guard = receivable_guard()
    if guard is not None:
        guard(customer=customer, amount=added, actor=actor, what=_("Delivery"))


@transaction.atomic
def delivery_record(*, actor: User | None, customer_id: int, reference: Any, due_on: Any, quantity_due: Any,
                    amount: Any, delivered_on: Any = None, quantity_delivered: Any = None, order_id: Any = None,
                    invoiced: bool = False, history: bool = False, allow_update: bool = True,
                    channel: str = "") -> Recorded:
    """Record (or correct) a contracted delivery (合同交货): quantity due by a day and its value. It may
    already say what was delivered (history, imports); otherwise :func:`delivery_confirm` does later.
    ``invoiced`` without an invoice is only for history billed before the invoices were recorded here."""
    values: dict[str, Any] = {
        "due_on": _date(due_on, "due_on"),
        "quantity_due": _quantity(quantity_due, "quantity_due", positive=True),
        "amount": parse_amount(amount, "amount", required=True),
        "delivered_on": _date(delivered_on, "delivered_on", required=False, not_future=True),
        "quantity_delivered": _quantity(quantity_delivered, "quantity_delivered", required=False),
    }
    if values["quantity_delivered"] is None:
        values["quantity_delivered"] = Decimal("0.0000")
    _check_delivered(values["quantity_due"], values["delivered_on"], values["quantity_delivered"])
    _history_ok(history, values["due_on"])
    if invoiced and not history:
        raise InvalidInput(_("Only history deliveries can be marked invoiced without an invoice; record the "
                             "invoice instead."), field="invoiced", code="not_history")
    ref = _reference(reference)
    customer = _customer(actor, customer_id, TradePerm.SALES_RECORD, history=history)
    order = _order(customer, order_id)
    values["order_id"] = order.pk if order else None
    row = _existing(Delivery, customer, ref)
    if row is None:
        _check_shipment(actor, customer, rules.shipped_value(values["amount"], values["quantity_due"],
                                                  values["quantity_delivered"]),
                        order_id=values["order_id"], history=history or bool(invoiced))
        row = Delivery(customer=customer, reference=ref, created_by=_who(actor), invoiced=bool(invoiced), **values)
        _save_new(row)
        audit_record(actor=actor, event_code=TradeFactEvent.DELIVERY_RECORDED, object_type="delivery",
                     object_id=row.pk, customer_id=customer.pk, new=_values(row, DELIVERY_FIELDS), channel=channel)
        return Recorded(row, "created")
    if invoiced and not row.invoiced and row.invoice_id is None:
        values["invoiced"] = True
    changes = _changed(row, values)
    if not changes:
        return Recorded(row, "unchanged")
    if not allow_update:
        _refuse_update(_("Delivery"), ref)
    _guard_invoiced_delivery(row, changes)
    if not row.invoiced and not values.get("invoiced"):
        before = rules.shipped_value(row.amount, row.quantity_due, row.quantity_delivered)
        after = rules.shipped_value(values["amount"], values["quantity_due"], values["quantity_delivered"])
        _check_shipment(actor, customer, after - before, order_id=values["order_id"], history=history)
    old = _values(row, DELIVERY_FIELDS)
    _apply(row, changes)
    audit_record(actor=actor, event_code=TradeFactEvent.DELIVERY_CORRECTED, object_type="delivery",
                 object_id=row.pk, customer_id=customer.pk, old=old, new=_values(row, DELIVERY_FIELDS),
                 channel=channel)
    return Recorded(row, "updated")


@transaction.atomic
def delivery_confirm(*, actor: User | None, delivery_id: int, delivered_on: Any, quantity_delivered: Any,
                     channel: str = "") -> Recorded:
    """Confirm what a delivery shipped and when (a partial delivery ships less than is due). Confirming
    again with the same figures changes nothing; other figures correct it (audited)."""
    row = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if row is None:
        raise NotFound()
    selectors.customer_in_scope(user=actor, customer_id=row.customer_id, perm=TradePerm.SALES_RECORD)
    values = {"delivered_on": _date(delivered_on, "delivered_on", not_future=True),
              "quantity_delivered": _quantity(quantity_delivered, "quantity_delivered", positive=True)}
    _check_delivered(row.quantity_due, values["delivered_on"], values["quantity_delivered"])
    changes = _changed(row, values)
    if not changes:
        return Recorded(row, "unchanged")
    _guard_invoiced_delivery(row, changes)
    if not row.invoiced:
        added = (rules.shipped_value(row.amount, row.quantity_due, values["quantity_delivered"])
                 - rules.shipped_value(row.amount, row.quantity_due, row.quantity_delivered))
        _check_shipment(actor, row.customer, added, order_id=row.order_id, history=False)
    event = TradeFactEvent.DELIVERY_CONFIRMED if row.delivered_on is None else TradeFactEvent.DELIVERY_CORRECTED
    old = _values(row, DELIVERY_FIELDS)
    _apply(row, changes)
    audit_record(actor=actor, event_code=event, object_type="delivery", object_id=row.pk,
                 customer_id=row.customer_id, old=old, new=_values(row, DELIVERY_FIELDS), channel=channel)
    return Recorded(row, "updated")


# ----------------------------------------------------------------------------- invoices


INVOICE_FIELDS = ("reference", "issued_on", "due_on", "amount", "currency", "order_id")


def _deliveries(customer: Customer, references: Any, invoice: Invoice | None) -> list[Delivery]:
    if references in (None, ""):
        return []
    if isinstance(references, str):
        references = [r for r in (p.strip() for p in references.replace("；", ";").replace(",", ";").split(";")) if r]
    if not isinstance(references, (list, tuple)) or not all(isinstance(r, str) for r in references):
        raise InvalidInput(_("delivery_references must be a list of delivery references."),
                           field="delivery_references")
    refs = sorted({r.strip() for r in references if r.strip()})
    if len(refs) > 500:
        raise InvalidInput(_("An invoice can bill at most 500 deliveries."), field="delivery_references")
    # locked in primary-key order, so two invoices billing overlapping deliveries cannot deadlock
    rows = list(Delivery.objects.select_for_update().filter(customer=customer, reference__in=refs).order_by("pk"))
    unknown = set(refs) - {d.reference for d in rows}
    if unknown:
        raise InvalidInput(_("This customer has no deliveries %(refs)s.") % {"refs": ", ".join(sorted(unknown))},
                           field="delivery_references", code="unknown_delivery")
    for d in rows:
        if d.delivered_on is None:
            raise Conflict(_("Delivery %(ref)s has not been delivered; only delivered goods are invoiced.")
                           % {"ref": d.reference}, code="delivery_not_delivered")
        billed_elsewhere = d.invoice_id is not None and (invoice is None or d.invoice_id != invoice.pk)
        if billed_elsewhere or (d.invoiced and d.invoice_id is None):
            raise DeliveryInvoiced(_("Delivery %(ref)s is already invoiced.") % {"ref": d.reference})
    return rows


def _shipped_total(deliveries: list[Delivery]) -> Decimal:
    if not deliveries:
        return Decimal("0.00")
    total = (Delivery.objects.filter(pk__in=[d.pk for d in deliveries])
             .aggregate(total=Sum(selectors.shipped_value()))["total"])
    return selectors.round_money(Decimal(total or 0))


def _check_order_amount(order: SalesOrder, amount: Decimal, invoice: Invoice | None) -> None:
    if order.status not in INVOICEABLE_ORDER:
        raise Conflict(_("Order %(n)s is %(s)s and cannot be invoiced.") % {"n": order.number,
                                                                          "s": order.get_status_display()},
                       code="order_not_invoiceable")
    others = Invoice.objects.filter(order=order)
    if invoice is not None:
        others = others.exclude(pk=invoice.pk)
    billed = others.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if billed + amount > order.amount:
        raise Conflict(_("Invoices of order %(n)s would exceed its amount %(a)s.") % {"n": order.number,
                                                                                     "a": order.amount},
                       code="invoice_exceeds_order")


def _check_new_receivable(actor, customer, amount: Decimal, *, history: bool) -> None:
    """A receivable that bills neither delivered goods nor an order passes the trade credit check."""
    if history or amount <= 0:
        return
    guard = receivable_guard()
    if guard is None:
        raise Conflict(_("An invoice must bill delivered goods or an order: the trade credit check for "
                         "other receivables is not available."), code="invoice_not_tied")
    guard(customer=customer, amount=amount, actor=actor, what=_("Invoice"))


@transaction.atomic
def invoice_record(*, actor: User | None, customer_id: int, reference: Any, issued_on: Any, due_on: Any,
                   amount: Any, currency: Any = "CNY", delivery_references: Any = None, order_id: Any = None,
                   history: bool = False, allow_update: bool = True, channel: str = "") -> Recorded:
    """Record (or correct) an invoice: the receivable and its due date (付款, G-6 payment indicators).

    It bills delivered goods (``delivery_references``, which become invoiced, for at most their shipped
    value) or an order (at most what is left of the order); otherwise it is a new receivable that passes
    the trade credit check, unless it is history."""
    values: dict[str, Any] = {
        "issued_on": _date(issued_on, "issued_on", not_future=True),
        "due_on": _date(due_on, "due_on"),
        "amount": positive_amount(amount, "amount"),
        "currency": _currency(currency),
    }
    if values["due_on"] < values["issued_on"]:
        raise InvalidInput(_("The due date cannot be before the issue date."), field="due_on",
                           code="due_before_issue")
    _history_ok(history, values["issued_on"])
    ref = _reference(reference)
    customer = _customer(actor, customer_id, TradePerm.FINANCE_RECORD, history=history)
    order = _order(customer, order_id)
    values["order_id"] = order.pk if order else None
    row = _existing(Invoice, customer, ref)
    tied = _deliveries(customer, delivery_references, row)
    if row is not None:
        current = set(row.deliveries.values_list("pk", flat=True))
        same_deliveries = delivery_references is None or current == {d.pk for d in tied}
        changes = _changed(row, values)
        if not changes and same_deliveries:
            return Recorded(row, "unchanged")
        if not allow_update:
            _refuse_update(_("Invoice"), ref)
        if delivery_references is None:  # a correction that does not name deliveries keeps them
            tied = list(Delivery.objects.select_for_update().filter(invoice=row).order_by("pk"))
    _check_tie(actor, customer, values["amount"], tied, order, row, history=history)
    if row is None:
        row = Invoice(customer=customer, reference=ref, created_by=_who(actor), **values)
        _save_new(row)
        _tie(row, tied)
        audit_record(actor=actor, event_code=TradeFactEvent.INVOICE_RECORDED, object_type="invoice",
                     object_id=row.pk, customer_id=customer.pk,
                     new={**_values(row, INVOICE_FIELDS), "deliveries": [d.reference for d in tied]}, channel=channel)
        return Recorded(row, "created")
    paid = row.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if values["amount"] < paid:
        raise Conflict(_("Invoice %(ref)s has %(paid)s paid; its amount cannot be lower.")
                       % {"ref": ref, "paid": paid}, code="amount_below_paid")
    old = {**_values(row, INVOICE_FIELDS), "deliveries": sorted(row.deliveries.values_list("reference", flat=True))}
    if changes:
        _apply(row, changes)
    Delivery.objects.filter(invoice=row).exclude(pk__in=[d.pk for d in tied]).update(invoice=None, invoiced=False)
    _tie(row, tied)
    audit_record(actor=actor, event_code=TradeFactEvent.INVOICE_CORRECTED, object_type="invoice", object_id=row.pk,
                 customer_id=customer.pk, old=old,
                 new={**_values(row, INVOICE_FIELDS), "deliveries": sorted(d.reference for d in tied)},
                 channel=channel)
    return Recorded(row, "updated")


def _check_tie(actor, customer, amount: Decimal, tied: list[Delivery], order: SalesOrder | None,
               invoice: Invoice | None, *, history: bool) -> None:
    if tied:
        shipped = _shipped_total(tied)
        if amount > shipped:
            raise Conflict(_("The invoice amount %(a)s exceeds the shipped value %(s)s of its deliveries.")
                           % {"a": amount, "s": shipped}, code="invoice_exceeds_deliveries")
        return
    if order is not None:
        _check_order_amount(order, amount, invoice)
        return
    # Free-standing: only the increase over what is already a receivable is new exposure.
    _check_new_receivable(actor, customer, amount - (invoice.amount if invoice else Decimal(0)), history=history)


def _tie(invoice: Invoice, deliveries: list[Delivery]) -> None:
    if deliveries:
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(invoice=invoice, invoiced=True)


# ----------------------------------------------------------------------------- payments


PAYMENT_FIELDS = ("reference", "paid_on", "amount", "invoice_id")


def _invoice(customer: Customer, invoice_id: Any, invoice_reference: Any) -> Invoice:
    rows = Invoice.objects.select_for_update().filter(customer=customer)
    if invoice_id not in (None, ""):
        if not isinstance(invoice_id, int) or isinstance(invoice_id, bool):
            raise InvalidInput(_("invoice_id must be a number."), field="invoice_id")
        invoice = rows.filter(pk=invoice_id).first()
    elif invoice_reference not in (None, ""):
        invoice = rows.filter(reference=_reference(invoice_reference, "invoice_reference")).first()
    else:
        raise InvalidInput(_("Name the invoice that is paid."), field="invoice_reference", code="required")
    if invoice is None:
        raise InvalidInput(_("This customer has no such invoice."), field="invoice_reference", code="unknown_invoice")
    return invoice


@transaction.atomic
def payment_record(*, actor: User | None, customer_id: int, reference: Any, paid_on: Any, amount: Any,
                   invoice_id: Any = None, invoice_reference: Any = None, history: bool = False,
                   allow_update: bool = True, channel: str = "") -> Recorded:
    """Record (or correct) a payment against an invoice, never more than is open on it.

    The invoice row is locked first, so two payments recorded at the same time are checked one after the
    other against what is open."""
    values: dict[str, Any] = {"paid_on": _date(paid_on, "paid_on", not_future=True),
                              "amount": positive_amount(amount, "amount")}
    _history_ok(history, values["paid_on"])
    ref = _reference(reference)
    # Payments are collected from customers that no longer trade, too.
    customer = _customer(actor, customer_id, TradePerm.FINANCE_RECORD, history=history, tradable=False)
    invoice = _invoice(customer, invoice_id, invoice_reference)
    values["invoice_id"] = invoice.pk
    row = _existing(Payment, customer, ref)
    if row is not None:
        changes = _changed(row, values)
        if not changes:
            return Recorded(row, "unchanged")
        if not allow_update:
            _refuse_update(_("Payment"), ref)
    if values["paid_on"] < invoice.issued_on:
        raise InvalidInput(_("A payment cannot be made before its invoice was issued."), field="paid_on",
                           code="paid_before_issue")
    others = invoice.payments.exclude(pk=row.pk) if row is not None else invoice.payments.all()
    paid = others.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    open_amount = selectors.round_money(invoice.amount - Decimal(paid))
    if values["amount"] > open_amount:
        raise Conflict(_("The payment %(a)s exceeds the %(o)s open on invoice %(ref)s.")
                       % {"a": values["amount"], "o": open_amount, "ref": invoice.reference},
                       code="payment_exceeds_open")
    if row is None:
        row = Payment(customer=customer, reference=ref, created_by=_who(actor), **values)
        _save_new(row)
        audit_record(actor=actor, event_code=TradeFactEvent.PAYMENT_RECORDED, object_type="payment",
                     object_id=row.pk, customer_id=customer.pk,
                     new={**_values(row, PAYMENT_FIELDS), "invoice": invoice.reference}, channel=channel)
        return Recorded(row, "created")
    old = _values(row, PAYMENT_FIELDS)
    _apply(row, changes)
    audit_record(actor=actor, event_code=TradeFactEvent.PAYMENT_CORRECTED, object_type="payment", object_id=row.pk,
                 customer_id=customer.pk, old=old, new={**_values(row, PAYMENT_FIELDS), "invoice": invoice.reference},
                 channel=channel)
    return Recorded(row, "updated")
