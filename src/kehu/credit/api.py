"""REST API of bank credit lines and the exposure guard. Thin: parse, call one service, present.

Writes that create or change a use accept an ``Idempotency-Key`` header (or ``idempotency_key`` in the
body): a retried request returns the first result and has no second effect."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StringConstraints

from kehu.core.inputs import PlainDecimal
from kehu.credit import selectors, services
from kehu.credit.models import CreditLine

router = Router(tags=["credit"])

Money = Annotated[PlainDecimal, Field(ge=0, max_digits=15, decimal_places=2)]
Product = Literal["loan", "trade_finance", "discount", "acceptance", "letter_of_credit", "letter_of_guarantee",
                  "other"]
Key = Annotated[str, StringConstraints(max_length=100)]
Reason = Annotated[str, StringConstraints(max_length=500)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class RatingIn(In):
    customer_id: int
    rating: Literal["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"]
    rated_on: date | None = None
    note: Reason = ""


class RatingOut(Schema):
    id: int
    customer_id: int
    rating: str
    rated_on: date


class FormulaIn(In):
    equity: Money
    intangibles: Money | None = None
    related_party_receivables: Money | None = None
    long_outstanding_receivables: Money | None = None
    industry_debt_ratio: Annotated[PlainDecimal, Field(ge=0, lt=1, max_digits=6, decimal_places=4)] | None = None
    other_bank_lines: Money | None = None
    annual_revenue: Money | None = None
    is_sme: bool = False


class LineIn(In):
    customer_id: int | None = None
    group_id: int | None = None
    line_type: Literal["comprehensive", "specific"] = "comprehensive"
    line_amount: Money
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] = "CNY"
    valid_from: date | None = None
    valid_to: date | None = None
    sub_limits: dict[Product, Money] | None = None
    temp_amount: Money | None = None
    temp_valid_to: date | None = None
    collateral_type: Annotated[str, StringConstraints(max_length=32)] = ""
    mortgage_share_pct: Annotated[PlainDecimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None
    formula_inputs: FormulaIn | None = None
    renews_line_id: int | None = None


class CreditNoteIn(In):
    note: Reason = ""


class ReasonIn(In):
    reason: Reason = ""


class AdjustIn(In):
    line_amount: Money | None = None
    temp_amount: Money | None = None
    temp_valid_to: date | None = None
    sub_limits: dict[Product, Money] | None = None
    reason: Reason


class UseIn(In):
    product: Product
    amount: Money
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    fx_rate: Annotated[PlainDecimal, Field(gt=0, max_digits=16, decimal_places=8)] | None = None
    reference: Annotated[str, StringConstraints(max_length=64)] = ""
    margin_amount: Money | None = None
    low_risk_collateral_amount: Money | None = None
    idempotency_key: Key = ""


class AmountIn(In):
    amount: Money | None = None
    idempotency_key: Key = ""


class CollateralIn(In):
    margin_amount: Money
    low_risk_collateral_amount: Money


class ClassifyIn(In):
    classification: Literal["normal", "special_mention", "substandard", "doubtful", "loss"]


class SubLimitOut(Schema):
    product: str
    off_balance: bool
    limit_amount: Decimal
    outstanding_amount: Decimal
    reserved_amount: Decimal
    available_amount: Decimal


class LineOut(Schema):
    id: int
    kind: str
    line_type: str
    customer_id: int | None
    group_id: int | None
    status: str
    currency: str
    line_amount: Decimal
    requested_amount: Decimal
    proposed_amount: Decimal | None
    proposal: dict | None
    temp_amount: Decimal
    temp_valid_to: date | None
    valid_from: date
    valid_to: date
    rating: str
    required_level: int | None
    routed_org_path: str
    renews_id: int | None
    is_committed: bool
    outstanding_amount: Decimal
    reserved_amount: Decimal
    exposure_amount: Decimal
    maker_id: int | None
    approver_id: int | None
    version: int
    created_at: datetime
    note: str = ("An internal control within the bank's delegated authority, not a commitment to the customer; "
                 "every use still needs its own approval.")


class CreditChangeOut(Schema):
    id: int
    line_id: int
    status: str
    line_amount: Decimal
    temp_amount: Decimal
    temp_valid_to: date | None
    sub_limits: dict[str, Decimal]
    reason: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


def change_out(change) -> dict:
    return {
        "id": change.pk, "line_id": change.line_id, "status": change.status, "line_amount": change.line_amount,
        "temp_amount": change.temp_amount, "temp_valid_to": change.temp_valid_to, "sub_limits": change.sub_limits,
        "reason": change.reason, "requested_at": change.requested_at, "decided_at": change.decided_at,
        "decision_note": change.decision_note,
        "requested_by": change.requested_by.get_username() if change.requested_by_id else None,
        "decided_by": change.decided_by.get_username() if change.decided_by_id else None,
    }


class LineDetail(LineOut):
    available_amount: Decimal
    limit_amount: Decimal
    temp_in_force: bool
    sub_limits: list[SubLimitOut]
    group_line: dict | None
    pending_change: CreditChangeOut | None = None


class LinePage(Schema):
    items: list[LineOut]
    next_before: int | None


class UseOut(Schema):
    id: int
    line_id: int
    group_line_id: int | None
    customer_id: int
    product: str
    reference: str
    original_amount: Decimal
    original_currency: str
    fx_rate: Decimal
    amount: Decimal
    reserved_amount: Decimal
    outstanding_amount: Decimal
    margin_amount: Decimal
    low_risk_collateral_amount: Decimal
    exposure_amount: Decimal
    classification: str
    status: str
    reserved_until: datetime
    created_at: datetime


class MovementOut(Schema):
    id: int
    kind: str
    use_id: int | None
    product: str
    amount: Decimal
    outstanding_after: Decimal
    reserved_after: Decimal
    reason_code: str
    reason: str
    at: datetime


class MovementPage(Schema):
    items: list[MovementOut]
    next_before: int | None


class CreditPageQuery(Schema):
    before: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=200)


class LineQuery(CreditPageQuery):
    status: Literal["", "in_approval", "active", "frozen", "expired", "renewal_pending", "rejected", "closed",
                    "exited"] = ""
    customer_id: int | None = Field(None, ge=1)
    group_id: int | None = Field(None, ge=1)


def _key(request, body_key: str) -> str:
    return body_key or request.headers.get("Idempotency-Key", "")


def line_detail_out(line: CreditLine) -> dict:
    out = LineOut.model_validate(line).model_dump()
    out.update(selectors.availability(line))
    change = selectors.pending_change(line)
    out["pending_change"] = change_out(change) if change is not None else None
    return out


@router.post("/credit/ratings", response={201: RatingOut}, summary="Record the bank's rating of a customer")
def rating_create(request, payload: RatingIn):
    row = services.rating_record(actor=request.auth, channel="api", **payload.model_dump())
    return Status(201, row)


@router.get("/credit/lines", response=LinePage, summary="Credit lines in your scope")
def line_list(request, q: Query[LineQuery]):
    items, next_before = selectors.line_list(user=request.auth, status=q.status, customer_id=q.customer_id,
                                             group_id=q.group_id, before=q.before, limit=q.limit)
    return {"items": items, "next_before": next_before}


@router.post("/credit/lines", response={201: LineDetail},
             summary="Request a line (routed to the lowest level with authority; the formula proposal is shown)")
def line_create(request, payload: LineIn):
    data = payload.model_dump()
    if payload.formula_inputs is not None:
        data["formula_inputs"] = payload.formula_inputs.model_dump(exclude_none=True)
    line = services.line_request(actor=request.auth, channel="api", **data)
    return Status(201, line_detail_out(line))


@router.get("/credit/inbox", response=list[LineOut], summary="Lines waiting for your approval at your level")
def inbox(request):
    return selectors.approval_inbox(user=request.auth)


@router.get("/credit/lines/{line_id}", response=LineDetail, summary="A line with what is available on it")
def line_detail(request, line_id: int):
    return line_detail_out(selectors.line_get(user=request.auth, line_id=line_id))


@router.get("/credit/lines/{line_id}/movements", response=MovementPage,
            summary="Utilisation history, including refusals and their reasons")
def line_movements(request, line_id: int, q: Query[CreditPageQuery]):
    items, next_before = selectors.movements(user=request.auth, line_id=line_id, before=q.before, limit=q.limit)
    return {"items": items, "next_before": next_before}


@router.get("/credit/lines/{line_id}/uses", response=list[UseOut], summary="Uses of a line")
def line_uses(request, line_id: int):
    return selectors.uses_of(user=request.auth, line_id=line_id)


@router.post("/credit/lines/{line_id}/approve", response=LineDetail, summary="Approve (checker)")
def line_approve(request, line_id: int, payload: CreditNoteIn):
    return line_detail_out(services.line_approve(actor=request.auth, line_id=line_id, note=payload.note,
                                                 channel="api"))


@router.post("/credit/lines/{line_id}/reject", response=LineDetail, summary="Reject (checker)")
def line_reject(request, line_id: int, payload: CreditNoteIn):
    return line_detail_out(services.line_reject(actor=request.auth, line_id=line_id, note=payload.note,
                                                channel="api"))


@router.post("/credit/lines/{line_id}/freeze", response=LineDetail, summary="Freeze: no new use")
def line_freeze(request, line_id: int, payload: ReasonIn):
    return line_detail_out(services.line_freeze(actor=request.auth, line_id=line_id, reason=payload.reason,
                                                channel="api"))


@router.post("/credit/lines/{line_id}/unfreeze", response=LineDetail, summary="Unfreeze")
def line_unfreeze(request, line_id: int, payload: ReasonIn):
    return line_detail_out(services.line_unfreeze(actor=request.auth, line_id=line_id, reason=payload.reason,
                                                  channel="api"))


@router.post("/credit/lines/{line_id}/adjust", response=LineDetail,
             summary="Lower the line, temporary line or sub-limits at once, or request an increase for a second approver "
                     "(never below what is in use)")
def line_adjust(request, line_id: int, payload: AdjustIn):
    return line_detail_out(services.line_adjust(actor=request.auth, line_id=line_id, channel="api",
                                                **payload.model_dump(exclude_unset=True)))


@router.get("/credit/changes", response=list[CreditChangeOut],
            summary="Requested line increases in your scope (pending by default)")
def change_list(request, status: Literal["pending", "approved", "rejected", ""] = "pending", line_id: int | None = None):
    return [change_out(c) for c in selectors.line_changes(user=request.auth, status=status, line_id=line_id)]


@router.post("/credit/changes/{change_id}/approve", response=LineDetail,
             summary="Approve a requested increase (a second person with authority for the new amounts)")
def change_approve(request, change_id: int, payload: CreditNoteIn):
    return line_detail_out(services.line_change_approve(actor=request.auth, change_id=change_id,
                                                        note=payload.note, channel="api"))


@router.post("/credit/changes/{change_id}/reject", response=LineDetail, summary="Reject a requested increase")
def change_reject(request, change_id: int, payload: CreditNoteIn):
    return line_detail_out(services.line_change_reject(actor=request.auth, change_id=change_id,
                                                       note=payload.note, channel="api"))


@router.post("/credit/lines/{line_id}/exit", response=LineDetail, summary="Real exit of an unused line")
def line_exit(request, line_id: int, payload: ReasonIn):
    return line_detail_out(services.line_exit(actor=request.auth, line_id=line_id, reason=payload.reason,
                                              channel="api"))


@router.post("/credit/lines/{line_id}/uses", response={201: UseOut},
             summary="Reserve a use against the line, its sub-limit and the group line (Idempotency-Key honoured)")
def use_reserve(request, line_id: int, payload: UseIn):
    data = payload.model_dump()
    data["idempotency_key"] = _key(request, data.pop("idempotency_key"))
    return Status(201, services.use_reserve(actor=request.auth, line_id=line_id, channel="api", **data))


@router.get("/credit/uses/{use_id}", response=UseOut, summary="One use")
def use_detail(request, use_id: int):
    return selectors.use_get(user=request.auth, use_id=use_id)


@router.post("/credit/uses/{use_id}/post", response=UseOut, summary="Post a reservation (whole or part)")
def use_post(request, use_id: int, payload: AmountIn):
    return services.use_post(actor=request.auth, use_id=use_id, amount=payload.amount,
                             idempotency_key=_key(request, payload.idempotency_key), channel="api")


@router.post("/credit/uses/{use_id}/release", response=UseOut, summary="Release a reservation (whole or part)")
def use_release(request, use_id: int, payload: AmountIn):
    return services.use_release(actor=request.auth, use_id=use_id, amount=payload.amount,
                                idempotency_key=_key(request, payload.idempotency_key), channel="api")


@router.post("/credit/uses/{use_id}/repay", response=UseOut, summary="Repay outstanding (whole or part)")
def use_repay(request, use_id: int, payload: AmountIn):
    return services.use_repay(actor=request.auth, use_id=use_id, amount=payload.amount,
                              idempotency_key=_key(request, payload.idempotency_key), channel="api")


@router.post("/credit/uses/{use_id}/collateral", response=UseOut, summary="Margin and low-risk collateral (net exposure)")
def use_collateral(request, use_id: int, payload: CollateralIn):
    return services.use_set_collateral(actor=request.auth, use_id=use_id, channel="api", **payload.model_dump())


@router.post("/credit/uses/{use_id}/classify", response=UseOut, summary="Five-category classification")
def use_classify(request, use_id: int, payload: ClassifyIn):
    return services.use_classify(actor=request.auth, use_id=use_id, classification=payload.classification,
                                 channel="api")


