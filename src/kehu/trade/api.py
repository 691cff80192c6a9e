"""Trade facts API: sales records, deliveries, invoices and payments of a customer (domain spec 3A). Thin:
the services validate, check scope and audit; lists are keyset pages of at most 200, newest first.

A POST with a reference that is already recorded is idempotent: 201 when it created the fact, 200 with
``outcome`` "unchanged" or "updated" (a correction, audited) otherwise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StringConstraints

from kehu.core.errors import NotFound
from kehu.core.inputs import PlainDecimal
from kehu.trade import selectors
from kehu.trade.services import facts

router = Router(tags=["trade facts"])

MAX_ID = 2**63 - 1
Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Money = Annotated[PlainDecimal, Field(ge=0, max_digits=15, decimal_places=2)]
Quantity = Annotated[PlainDecimal, Field(ge=0, max_digits=19, decimal_places=4)]
Currency = Annotated[str, StringConstraints(max_length=3)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class FactPageQuery(Schema):
    model_config = ConfigDict(extra="forbid")
    before: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=200)


class SalesIn(In):
    reference: Ref
    period: Annotated[str, StringConstraints(max_length=10)]
    amount: Money
    currency: Currency = "CNY"


class SalesOut(Schema):
    id: int
    customer_id: int
    reference: str
    period: date
    amount: Decimal
    currency: str
    created_at: datetime
    outcome: str | None = None


class DeliveryIn(In):
    reference: Ref
    due_on: date
    quantity_due: Quantity
    amount: Money
    delivered_on: date | None = None
    quantity_delivered: Quantity | None = None
    order_id: int | None = Field(None, ge=1, le=MAX_ID)


class ConfirmIn(In):
    delivered_on: date
    quantity_delivered: Quantity


class DeliveryOut(Schema):
    id: int
    customer_id: int
    order_id: int | None
    reference: str
    due_on: date
    quantity_due: Decimal
    amount: Decimal
    delivered_on: date | None
    quantity_delivered: Decimal
    invoiced: bool
    invoice_id: int | None
    created_at: datetime
    outcome: str | None = None


class FactInvoiceIn(In):
    reference: Ref
    issued_on: date
    due_on: date
    amount: Money
    currency: Currency = "CNY"
    delivery_references: list[Ref] | None = Field(None, max_length=500)
    order_id: int | None = Field(None, ge=1, le=MAX_ID)


class InvoiceOut(Schema):
    id: int
    customer_id: int
    order_id: int | None
    reference: str
    issued_on: date
    due_on: date
    amount: Decimal
    currency: str
    paid_amount: Decimal
    open_amount: Decimal
    delivery_references: list[str]
    created_at: datetime
    outcome: str | None = None


class PaymentIn(In):
    reference: Ref
    paid_on: date
    amount: Money
    invoice_id: int | None = Field(None, ge=1, le=MAX_ID)
    invoice_reference: Ref | None = None


class PaymentOut(Schema):
    id: int
    customer_id: int
    invoice_id: int
    invoice_reference: str
    reference: str
    paid_on: date
    amount: Decimal
    created_at: datetime
    outcome: str | None = None


class Page(Schema):
    next_before: int | None


class SalesPage(Page):
    items: list[SalesOut]


class DeliveryPage(Page):
    items: list[DeliveryOut]


class InvoicePage(Page):
    items: list[InvoiceOut]


class PaymentPage(Page):
    items: list[PaymentOut]


class ReceivablesOut(Schema):
    customer_id: int
    as_of: date
    open_receivables: Decimal
    overdue_amount: Decimal
    overdue_invoices: int
    max_days_overdue: int
    oldest_overdue_due_on: date | None
    shipped_not_invoiced: Decimal


def _id(value: int) -> int:
    """Ids beyond the database's integer range cannot exist: 404, not an overflow."""
    if not 0 < value <= MAX_ID:
        raise NotFound()
    return value


def _page(rows, query: FactPageQuery, out) -> dict:
    if query.before:
        rows = rows.filter(pk__lt=query.before)
    items = list(rows[: query.limit + 1])
    more = len(items) > query.limit
    items = items[: query.limit]
    return {"items": [out(r) for r in items], "next_before": items[-1].pk if more else None}


def _answer(recorded: facts.Recorded, out):
    body = {**out(recorded.fact), "outcome": recorded.outcome}
    return Status(201 if recorded.created else 200, body)


def _fields(obj, names: tuple[str, ...]) -> dict:
    return {n: getattr(obj, n) for n in names}


SALES_OUT = ("id", "customer_id", "reference", "period", "amount", "currency", "created_at")
DELIVERY_OUT = ("id", "customer_id", "order_id", "reference", "due_on", "quantity_due", "amount", "delivered_on",
                "quantity_delivered", "invoiced", "invoice_id", "created_at")
INVOICE_OUT = ("id", "customer_id", "order_id", "reference", "issued_on", "due_on", "amount", "currency",
               "created_at")
PAYMENT_OUT = ("id", "customer_id", "invoice_id", "reference", "paid_on", "amount", "created_at")


def sales_out(row) -> dict:
    return _fields(row, SALES_OUT)


def delivery_out(row) -> dict:
    return _fields(row, DELIVERY_OUT)


def invoice_out(row) -> dict:
    paid = getattr(row, "paid_total", None)
    if paid is None:
        paid = row.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    refs = getattr(row, "_prefetched_objects_cache", {}).get("deliveries")
    refs = [d.reference for d in refs] if refs is not None else list(
        row.deliveries.order_by("reference").values_list("reference", flat=True))
    return {**_fields(row, INVOICE_OUT), "paid_amount": selectors.round_money(Decimal(paid)),
            "open_amount": selectors.round_money(row.amount - Decimal(paid)), "delivery_references": sorted(refs)}


def payment_out(row) -> dict:
    return {**_fields(row, PAYMENT_OUT), "invoice_reference": row.invoice.reference}


# ----------------------------------------------------------------------------- sales


@router.get("/trade/customers/{customer_id}/sales", response=SalesPage, summary="A customer's monthly sales records")
def sales_list(request, customer_id: int, query: Query[FactPageQuery]):
    rows = selectors.customer_facts(user=request.auth, customer_id=_id(customer_id), kind="sales")
    return _page(rows, query, sales_out)


@router.post("/trade/customers/{customer_id}/sales", response={200: SalesOut, 201: SalesOut},
             summary="Record or correct a month's sales (idempotent by reference)")
def sales_create(request, customer_id: int, payload: SalesIn):
    return _answer(facts.sales_record(actor=request.auth, customer_id=_id(customer_id), channel="api",
                                      **payload.model_dump()), sales_out)


# ----------------------------------------------------------------------------- deliveries


@router.get("/trade/customers/{customer_id}/deliveries", response=DeliveryPage, summary="A customer's deliveries")
def delivery_list(request, customer_id: int, query: Query[FactPageQuery]):
    rows = selectors.customer_facts(user=request.auth, customer_id=_id(customer_id), kind="deliveries")
    return _page(rows, query, delivery_out)


@router.post("/trade/customers/{customer_id}/deliveries", response={200: DeliveryOut, 201: DeliveryOut},
             summary="Record or correct a contracted delivery (idempotent by reference)")
def delivery_create(request, customer_id: int, payload: DeliveryIn):
    return _answer(facts.delivery_record(actor=request.auth, customer_id=_id(customer_id),
                                         channel="api", **payload.model_dump()), delivery_out)


@router.post("/trade/deliveries/{delivery_id}/confirm", response=DeliveryOut,
             summary="Confirm what a delivery shipped and when (partial deliveries ship less than is due)")
def delivery_confirm(request, delivery_id: int, payload: ConfirmIn):
    recorded = facts.delivery_confirm(actor=request.auth, delivery_id=_id(delivery_id), channel="api",
                                      **payload.model_dump())
    return {**delivery_out(recorded.fact), "outcome": recorded.outcome}


# ----------------------------------------------------------------------------- invoices


@router.get("/trade/customers/{customer_id}/invoices", response=InvoicePage,
            summary="A customer's invoices with what is paid and open")
def invoice_list(request, customer_id: int, query: Query[FactPageQuery]):
    rows = (selectors.customer_facts(user=request.auth, customer_id=_id(customer_id), kind="invoices")
            .annotate(paid_total=Coalesce(Sum("payments__amount"), Decimal(0), output_field=selectors.MONEY_FIELD))
            .prefetch_related("deliveries"))
    return _page(rows, query, invoice_out)


@router.post("/trade/customers/{customer_id}/invoices", response={200: InvoiceOut, 201: InvoiceOut},
             summary="Record or correct an invoice billing deliveries or an order (idempotent by reference)")
def invoice_create(request, customer_id: int, payload: FactInvoiceIn):
    return _answer(facts.invoice_record(actor=request.auth, customer_id=_id(customer_id), channel="api",
                                        **payload.model_dump()), invoice_out)


# ----------------------------------------------------------------------------- payments


@router.get("/trade/customers/{customer_id}/payments", response=PaymentPage, summary="A customer's payments")
def payment_list(request, customer_id: int, query: Query[FactPageQuery]):
    rows = selectors.customer_facts(user=request.auth, customer_id=_id(customer_id), kind="payments")
    return _page(rows, query, payment_out)


@router.post("/trade/customers/{customer_id}/payments", response={200: PaymentOut, 201: PaymentOut},
             summary="Record or correct a payment against an invoice, at most what is open on it")
def payment_create(request, customer_id: int, payload: PaymentIn):
    return _answer(facts.payment_record(actor=request.auth, customer_id=_id(customer_id), channel="api",
                                        **payload.model_dump()), payment_out)


# ----------------------------------------------------------------------------- figures


@router.get("/trade/customers/{customer_id}/receivables", response=ReceivablesOut,
            summary="Open receivables, overdue invoices and shipped-not-invoiced goods as of a date")
def receivables(request, customer_id: int, as_of: date | None = None):
    customer = selectors.customer_in_scope(user=request.auth, customer_id=_id(customer_id))
    day = as_of or timezone.localdate()
    late = selectors.overdue(customer_id=customer.pk, as_of=day)
    return {"customer_id": customer.pk, "as_of": day,
            "open_receivables": selectors.open_receivables(customer_id=customer.pk, as_of=day),
            "overdue_amount": late.amount, "overdue_invoices": late.invoices, "max_days_overdue": late.max_days,
            "oldest_overdue_due_on": late.oldest_due_on,
            "shipped_not_invoiced": selectors.shipped_not_invoiced(customer_id=customer.pk, as_of=day)}
