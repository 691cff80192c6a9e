"""REST API of customer grading: policies (maker-checker), runs, results (scoped), overrides. Thin."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.periods import parse_period
from kehu.core.selectors import access_for
from kehu.grading import selectors
from kehu.grading.models import ScorecardPolicy
from kehu.grading.permissions import GradingPerm
from kehu.grading.services import overrides, policies
from kehu.grading.services.financials import statement_record as record
from kehu.grading.services.financials import statements_of
from kehu.grading.services.run import run_period, run_reopen

router = Router(tags=["grading"])
Period = Annotated[str, StringConstraints(max_length=10)]
Text = Annotated[str, StringConstraints(max_length=2000)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class PolicyIn(In):
    name: Annotated[str, StringConstraints(max_length=200)]
    config: dict[str, Any] | None = None


class PolicyOut(Schema):
    id: int
    version: int
    name: str
    status: str
    config: dict[str, Any]
    created_by_id: int | None
    approved_by_id: int | None


class RunIn(In):
    period: Period


class ReopenIn(In):
    period: Period
    reason: Text


class RunOut(Schema):
    period: date
    state: str
    policy_version: int
    customers_graded: int
    finished_at: datetime | None
    reopen_reason: str


class ResultOut(Schema):
    customer_id: int
    period: date
    policy_version: int
    raw_volume: Decimal
    raw_fulfilment: Decimal | None
    raw_on_time: Decimal | None
    raw_overdue_days: int
    raw_licence_ok: bool
    raw_sued: bool
    raw_archive_complete: bool
    raw_disqualified: bool
    raw_current_ratio: Decimal | None
    raw_debt_ratio: Decimal | None
    raw_overdue_others: Decimal | None
    weight_volume: Decimal
    weight_fulfilment: Decimal
    weight_payment: Decimal
    weight_operating: Decimal
    weight_financial: Decimal
    score_volume: Decimal
    score_fulfilment: Decimal
    score_payment: Decimal
    score_operating: Decimal
    score_financial: Decimal
    total_score: Decimal
    computed_grade: str
    knockout: str
    cap: str
    grade: str
    previous_grade: str
    change: int | None
    overridden: bool


class StatementIn(In):
    customer_id: int
    year: int
    current_ratio: Decimal
    debt_ratio: Decimal
    overdue_to_others: Decimal


class StatementOut(Schema):
    id: int
    customer_id: int
    year: int
    current_ratio: Decimal
    debt_ratio: Decimal
    overdue_to_others: Decimal


class OverrideIn(In):
    customer_id: int
    period: Period
    to_grade: Literal["A", "B", "C", "D", "E"]
    reason: Text


class OverrideDecisionIn(In):
    approve: bool
    note: Text = ""


class OverrideOut(Schema):
    id: int
    customer_id: int
    period: date
    from_grade: str
    to_grade: str
    reason: str
    status: str
    requested_by_id: int
    decided_by_id: int | None


MAX_ID = 2**63 - 1


def _id(value: int) -> int:
    """Ids beyond the database's integer range cannot exist: 404, not an overflow."""
    if not 0 < value <= MAX_ID:
        raise NotFound()
    return value


def _view(request) -> None:
    if not access_for(request.auth).has(GradingPerm.VIEW):
        raise PermissionDenied()


def _run_out(run) -> dict:
    return {"period": run.period, "state": run.state, "policy_version": run.policy.version,
            "customers_graded": run.customers_graded, "finished_at": run.finished_at,
            "reopen_reason": run.reopen_reason}


@router.get("/grading/policies", response=list[PolicyOut], summary="Scorecard policies, newest first")
def policy_list(request):
    _view(request)
    return list(ScorecardPolicy.objects.order_by("-version")[:100])


@router.post("/grading/policies", response={201: PolicyOut},
             summary="Draft a scorecard policy (the default scorecard when config is omitted)")
def policy_create(request, payload: PolicyIn):
    return Status(201, policies.policy_create(actor=request.auth, name=payload.name, config=payload.config))


@router.post("/grading/policies/{policy_id}/approve", response=PolicyOut,
             summary="Approve a draft policy (not by its maker)")
def policy_approve(request, policy_id: int):
    return policies.policy_approve(actor=request.auth, policy_id=_id(policy_id))


@router.get("/grading/runs", response=list[RunOut], summary="Grading runs, newest period first")
def run_list(request):
    _view(request)
    return [_run_out(r) for r in selectors.runs()[:120]]


@router.post("/grading/runs", response={201: RunOut}, summary="Grade every tradable customer for a period")
def run_create(request, payload: RunIn):
    return Status(201, _run_out(run_period(actor=request.auth, period=payload.period)))


@router.post("/grading/runs/reopen", response=RunOut, summary="Reopen a closed period with a reason (audited)")
def run_reopen_api(request, payload: ReopenIn):
    return _run_out(run_reopen(actor=request.auth, period=payload.period, reason=payload.reason))


@router.get("/grading/results/{period}", response=list[ResultOut],
            summary="Grades of a period for the customers in your scope")
def result_list(request, period: str, after: int = 0, limit: int = 200):
    _view(request)
    month = parse_period(period)
    limit, after = max(1, min(limit, 1000)), max(0, min(after, MAX_ID))
    return list(selectors.results(user=request.auth, period=month).filter(customer_id__gt=after)[:limit])


@router.get("/grading/results/{period}/{customer_id}", response=ResultOut,
            summary="One customer's grade with its explanation")
def result_detail(request, period: str, customer_id: int):
    _view(request)
    row = selectors.results(user=request.auth, period=parse_period(period)).filter(customer_id=_id(customer_id)).first()
    if row is None:
        raise NotFound()
    return row


@router.post("/grading/overrides", response={201: OverrideOut}, summary="Request a one-step grade override")
def override_create(request, payload: OverrideIn):
    return Status(201, overrides.override_request(actor=request.auth, **payload.model_dump()))


@router.post("/grading/overrides/{override_id}/decide", response=OverrideOut,
             summary="Approve or reject an override (a second person)")
def override_decide(request, override_id: int, payload: OverrideDecisionIn):
    return overrides.override_decide(actor=request.auth, override_id=_id(override_id), approve=payload.approve,
                                     note=payload.note)


@router.post("/grading/statements", response={201: StatementOut},
             summary="Enter or correct a customer's yearly financial statement (current ratio, debt ratio, "
                     "overdue to other creditors)")
def statement_record(request, payload: StatementIn):
    return Status(201, record(actor=request.auth, **payload.model_dump()))


@router.get("/grading/statements/{customer_id}", response=list[StatementOut],
            summary="A customer's yearly financial statements, latest first")
def statement_list(request, customer_id: int):
    return statements_of(actor=request.auth, customer_id=_id(customer_id))
