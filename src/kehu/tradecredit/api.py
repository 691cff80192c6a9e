"""Trade credit REST API (limits, orders, holds) under /trade/, beside the facts' (kehu.trade.api).

Credit handlers are thin: parse, call one service or selector, present. Placing an order honours an
``Idempotency-Key`` header (or ``idempotency_key`` in the body): a retry returns the first order (200) and
has no second effect."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StringConstraints

from kehu.core.inputs import PlainDecimal
from kehu.trade.models import SalesOrder
from kehu.tradecredit import selectors as selectors
from kehu.tradecredit import services

router = Router(tags=["trade credit"])

Money = Annotated[PlainDecimal, Field(ge=0, max_digits=15, decimal_places=2)]
Note = Annotated[str, StringConstraints(max_length=500)]
Key = Annotated[str, StringConstraints(max_length=64)]
OrderStatusName = Literal["", "accepted", "credit_hold", "rejected", "shipped", "invoiced", "cancelled"]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class OrderIn(In):
    customer_id: int = Field(ge=1)
    number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    amount: Money
    ordered_on: date | None = None
    idempotency_key: Key = ""
    prepaid: bool = False  # cash before delivery (款到发货): no credit check; the payment is recorded before shipping


class TradeNoteIn(In):
    note: Note = ""


class ShipIn(In):
    shipped_on: date | None = None
    quantity: Annotated[PlainDecimal, Field(gt=0, max_digits=16, decimal_places=4)] | None = None


class PrepaymentIn(In):
    reference: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    paid_on: date | None = None


class OrderInvoiceIn(In):
    reference: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    issued_on: date | None = None
    due_on: date | None = None


class LimitSetIn(In):
    amount: Money
    term_days: int = Field(ge=0, le=365)
    reason: Note


class RecalcIn(In):
    period: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]


class OrderOut(Schema):
    id: int
    customer_id: int
    number: str
    ordered_on: date
    amount: Decimal
    currency: str
    status: str
    hold_reasons: list[str]
    release_authority: str
    check_figures: dict
    prepaid: bool
    prepayment: dict
    created_at: datetime
    decided_at: datetime | None
    decision_note: str


class OrderStatusChangeOut(Schema):
    from_status: str
    to_status: str
    actor: str | None
    note: str
    at: datetime


class HoldOut(Schema):
    authority: str
    reasons: list[str]
    figures: dict
    your_authority: str
    you_may_release: bool


class OrderDetail(OrderOut):
    history: list[OrderStatusChangeOut]
    hold_now: HoldOut | None


class OrderPage(Schema):
    items: list[OrderOut]
    next_before: int | None


class LimitOut(Schema):
    id: int
    amount: Decimal
    term_days: int
    grade: str
    period: date | None
    basis: dict
    rule_version: str
    valid_from: date
    valid_to: date | None
    approved_by: str | None


class TradeCreditChangeOut(Schema):
    id: int
    customer_id: int
    status: str
    current_amount: Decimal
    proposed_amount: Decimal
    term_days: int
    grade: str
    period: date | None
    basis: dict
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


class ExposureOut(Schema):
    open_receivables: Decimal
    shipped_not_invoiced: Decimal
    open_orders: Decimal
    total: Decimal
    available: Decimal
    overdue_invoices: int
    overdue_amount: Decimal
    oldest_overdue_due_on: date | None


class CreditOut(Schema):
    customer_id: int
    limit_amount: Decimal
    term_days: int
    grade: str
    limit_valid_from: date | None
    exposure: ExposureOut
    current: LimitOut | None
    history: list[LimitOut]
    pending_change: TradeCreditChangeOut | None
    open_orders: list[OrderOut]


class LimitSetOut(Schema):
    applied: LimitOut | None
    pending_change: TradeCreditChangeOut | None


class RecalcOut(Schema):
    period: str
    graded: int
    decreased: int
    requested: int
    superseded: int
    regraded: int
    skipped: str


class OrderQuery(Schema):
    status: OrderStatusName = ""
    customer_id: int | None = Field(None, ge=1)
    before: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=200)


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def limit_out(row) -> dict:
    return {"id": row.pk, "amount": row.amount, "term_days": row.term_days, "grade": row.grade, "period": row.period,
            "basis": row.basis, "rule_version": row.rule_version, "valid_from": row.valid_from,
            "valid_to": row.valid_to, "approved_by": _name(row.approved_by) if row.approved_by_id else None}


def change_out(row) -> dict:
    return {"id": row.pk, "customer_id": row.account.customer_id, "status": row.status,
            "current_amount": row.current_amount, "proposed_amount": row.proposed_amount,
            "term_days": row.term_days, "grade": row.grade, "period": row.period, "basis": row.basis,
            "requested_by": _name(row.requested_by) if row.requested_by_id else None,
            "requested_at": row.requested_at, "decided_by": _name(row.decided_by) if row.decided_by_id else None,
            "decided_at": row.decided_at, "decision_note": row.decision_note}


def order_detail_out(request, order: SalesOrder) -> dict:
    out = OrderOut.model_validate(order).model_dump()
    out["history"] = [{"from_status": s.from_status, "to_status": s.to_status,
                       "actor": _name(s.actor) if s.actor_id else None, "note": s.note, "at": s.at}
                      for s in selectors.order_history(order)]
    hold = selectors.hold_view(user=request.auth, order=order)
    out["hold_now"] = None if hold is None else {
        "authority": hold.authority, "reasons": hold.reasons, "figures": hold.figures,
        "your_authority": hold.user_authority, "you_may_release": hold.may_release}
    return out


def credit_out(view) -> dict:
    e = view.exposure
    return {
        "customer_id": view.customer.pk, "limit_amount": view.account.limit_amount,
        "term_days": view.account.term_days, "grade": view.account.grade,
        "limit_valid_from": view.account.limit_valid_from,
        "exposure": {"open_receivables": e.open_receivables, "shipped_not_invoiced": e.shipped_not_invoiced,
                     "open_orders": e.open_orders, "total": e.total, "available": view.available,
                     "overdue_invoices": e.overdue_invoices, "overdue_amount": e.overdue_amount,
                     "oldest_overdue_due_on": e.oldest_overdue_due_on},
        "current": limit_out(view.current) if view.current else None,
        "history": [limit_out(x) for x in view.history],
        "pending_change": change_out(view.pending) if view.pending else None,
        "open_orders": view.open_orders,
    }


@router.get("/trade/customers/{customer_id}/credit", response=CreditOut,
            summary="A customer's credit limit with its basis and history, the exposure breakdown and open orders")
def customer_credit(request, customer_id: int):
    return credit_out(selectors.customer_credit(user=request.auth, customer_id=customer_id))


@router.post("/trade/customers/{customer_id}/credit/limit", response=LimitSetOut,
             summary="Set a limit by hand: a decrease applies at once, an increase waits for a second person")
def limit_set(request, customer_id: int, payload: LimitSetIn):
    result = services.credit_limit_set(actor=request.auth, customer_id=customer_id, **payload.model_dump())
    return {"applied": limit_out(result.limit) if result.limit else None,
            "pending_change": change_out(result.change) if result.change else None}


@router.post("/trade/credit/recalculate", response=RecalcOut,
             summary="Recalculate every graded customer's limit for a period (normally run after grading)")
def recalculate(request, payload: RecalcIn):
    return services.credit_limits_recalculate(actor=request.auth, period=payload.period).as_dict()


@router.get("/trade/limit-changes", response=list[TradeCreditChangeOut], summary="Limit changes in your scope (pending first)")
def change_list(request, status: Literal["pending", "approved", "rejected", "superseded", ""] = "pending"):
    return [change_out(c) for c in selectors.limit_changes(user=request.auth, status=status)]


@router.post("/trade/limit-changes/{change_id}/approve", response=TradeCreditChangeOut,
             summary="Approve an increase (finance or general manager, not whoever asked for it)")
def change_approve(request, change_id: int, payload: TradeNoteIn):
    return change_out(services.limit_change_approve(actor=request.auth, change_id=change_id, note=payload.note))


@router.post("/trade/limit-changes/{change_id}/reject", response=TradeCreditChangeOut, summary="Reject an increase, with a reason")
def change_reject(request, change_id: int, payload: TradeNoteIn):
    return change_out(services.limit_change_reject(actor=request.auth, change_id=change_id, note=payload.note))


@router.get("/trade/orders", response=OrderPage, summary="Orders in your scope (status=credit_hold: the holds)")
def order_list(request, q: Query[OrderQuery]):
    items, next_before = selectors.order_list(user=request.auth, status=q.status, customer_id=q.customer_id,
                                              before=q.before, limit=q.limit)
    return {"items": items, "next_before": next_before}


@router.post("/trade/orders", response={200: OrderDetail, 201: OrderDetail},
             summary="Place an order: checked against the credit limit, accepted or put on credit hold "
                     "(Idempotency-Key honoured: a retry returns the first order with 200)")
def order_place(request, payload: OrderIn):
    data = payload.model_dump()
    data["idempotency_key"] = data.pop("idempotency_key") or request.headers.get("Idempotency-Key", "")
    order = services.order_place(actor=request.auth, channel="api", **data)
    return Status(200 if getattr(order, "_replayed", False) else 201, order_detail_out(request, order))


@router.get("/trade/orders/{order_id}", response=OrderDetail,
            summary="An order with the figures of its check, its history and, if held, what a release needs now")
def order_detail(request, order_id: int):
    return order_detail_out(request, selectors.order_get(user=request.auth, order_id=order_id))


@router.post("/trade/orders/{order_id}/release", response=OrderDetail,
             summary="Release a held order (needs the authority for the excess at release time)")
def order_release(request, order_id: int, payload: TradeNoteIn):
    order = services.order_release(actor=request.auth, order_id=order_id, note=payload.note, channel="api")
    return order_detail_out(request, order)


@router.post("/trade/orders/{order_id}/reject", response=OrderDetail, summary="Reject a held order")
def order_reject(request, order_id: int, payload: TradeNoteIn):
    order = services.order_reject(actor=request.auth, order_id=order_id, note=payload.note, channel="api")
    return order_detail_out(request, order)


@router.post("/trade/orders/{order_id}/cancel", response=OrderDetail, summary="Cancel an accepted or held order")
def order_cancel(request, order_id: int, payload: TradeNoteIn):
    order = services.order_cancel(actor=request.auth, order_id=order_id, note=payload.note, channel="api")
    return order_detail_out(request, order)


@router.post("/trade/orders/{order_id}/ship", response=OrderDetail, summary="Ship an accepted order (a delivery)")
def order_ship(request, order_id: int, payload: ShipIn):
    order = services.order_ship(actor=request.auth, order_id=order_id, channel="api", **payload.model_dump())
    return order_detail_out(request, order)


@router.post("/trade/orders/{order_id}/prepayment", response=OrderDetail,
             summary="Record the payment of a prepaid order (cash before delivery) before it ships")
def order_prepayment(request, order_id: int, payload: PrepaymentIn):
    order = services.order_prepayment_record(actor=request.auth, order_id=order_id, channel="api",
                                             **payload.model_dump())
    return order_detail_out(request, order)


@router.post("/trade/orders/{order_id}/invoice", response=OrderDetail, summary="Invoice a shipped order")
def order_invoice(request, order_id: int, payload: OrderInvoiceIn):
    order = services.order_invoice(actor=request.auth, order_id=order_id, channel="api", **payload.model_dump())
    return order_detail_out(request, order)
