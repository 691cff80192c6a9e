"""REST API of the regulatory statistics: capital bases, the month freeze, the large-credit table with
its sign-off and exports, concentration alerts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StringConstraints

from kehu.core.inputs import PlainDecimal
from kehu.exposure import selectors, services

router = Router(tags=["exposure"])

Money = Annotated[PlainDecimal, Field(gt=0, max_digits=15, decimal_places=2)]
Period = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class CapitalIn(In):
    as_of: date
    capital_amount: Money
    net_capital_amount: Money
    tier1_net_amount: Money


class CapitalOut(Schema):
    id: int
    as_of: date
    capital_amount: Decimal
    net_capital_amount: Decimal
    tier1_net_amount: Decimal


class PeriodIn(In):
    period: Period


class FreezeOut(Schema):
    id: int
    period: str
    frozen_at: datetime
    customers: int


class ReportIn(In):
    period: Period
    org_code: Annotated[str, StringConstraints(max_length=32)] = ""
    preparer: Annotated[str, StringConstraints(max_length=50)] = ""
    phone: Annotated[str, StringConstraints(max_length=30)] = ""
    reviewer: Annotated[str, StringConstraints(max_length=50)] = ""


class SignoffIn(In):
    approve: bool
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class RowOut(Schema):
    customer_id: int
    uscc: str
    name: str
    group_code: str
    line_amount: Decimal
    outstanding_amount: Decimal
    on_balance_amount: Decimal
    off_balance_amount: Decimal
    exposure_amount: Decimal
    basis: str
    carried_forward: bool


class ReportOut(Schema):
    id: int
    period: str
    status: str
    threshold_amount: Decimal
    org_code: str
    preparer: str
    phone: str
    reviewer: str
    problems: list
    maker_id: int | None
    checker_id: int | None
    submitted_at: datetime | None
    signed_at: datetime | None


class ReportDetail(ReportOut):
    rows: list[RowOut]


class AlertOut(Schema):
    limit_code: str
    customer_id: int | None
    group_id: int | None
    amount: Decimal
    base_amount: Decimal
    share_pct: Decimal
    cap_pct: Decimal
    level_pct: Decimal


class ExportQuery(Schema):
    format: Literal["xlsx", "xml"] = "xlsx"


class AlertQuery(Schema):
    period: Period


def _detail(request, report) -> dict:
    out = ReportOut.model_validate(report).model_dump()
    out["rows"] = selectors.shown_rows(selectors.report_rows(user=request.auth, report=report))
    return out


@router.post("/exposure/capital-bases", response={201: CapitalOut}, summary="Record capital bases (finance)")
def capital_create(request, payload: CapitalIn):
    return Status(201, services.capital_base_record(actor=request.auth, channel="api", **payload.model_dump()))


@router.get("/exposure/freezes", response=list[FreezeOut], summary="Frozen months")
def freeze_list(request):
    return list(selectors.freezes(user=request.auth)[:120])


@router.post("/exposure/freezes", response={201: FreezeOut}, summary="Freeze a month (month-end statistics)")
def freeze_create(request, payload: PeriodIn):
    return Status(201, services.month_freeze(actor=request.auth, period=payload.period, channel="api"))


@router.get("/exposure/reports", response=list[ReportOut], summary="Large-credit statistics tables")
def report_list(request):
    return list(selectors.reports(user=request.auth)[:120])


@router.post("/exposure/reports", response={201: ReportDetail},
             summary="Draft the month's large-credit table from its freeze and validate it")
def report_create(request, payload: ReportIn):
    report = services.report_draft(actor=request.auth, channel="api", **payload.model_dump())
    return Status(201, _detail(request, report))


@router.get("/exposure/reports/{report_id}", response=ReportDetail, summary="A table with the rows in your scope")
def report_detail(request, report_id: int):
    return _detail(request, selectors.report_get(user=request.auth, report_id=report_id))


@router.post("/exposure/reports/{report_id}/submit", response=ReportDetail, summary="Submit for sign-off (maker)")
def report_submit(request, report_id: int):
    return _detail(request, services.report_submit(actor=request.auth, report_id=report_id, channel="api"))


@router.post("/exposure/reports/{report_id}/signoff", response=ReportDetail,
             summary="Sign off or return (checker, not the maker)")
def report_signoff(request, report_id: int, payload: SignoffIn):
    return _detail(request, services.report_signoff(actor=request.auth, report_id=report_id, channel="api",
                                                    **payload.model_dump()))


@router.get("/exposure/reports/{report_id}/export", summary="Export as XLSX or as the R-5 XML (validated)")
def report_export(request, report_id: int, q: Query[ExportQuery]):
    data, ctype, name = services.report_export(actor=request.auth, report_id=report_id, fmt=q.format,
                                               channel="api")
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/exposure/concentration", response={201: list[AlertOut]},
             summary="Check concentration against the capital bases (R-7 to R-9)")
def concentration_run(request, payload: PeriodIn):
    return Status(201, services.concentration_check(actor=request.auth, period=payload.period, channel="api"))


@router.get("/exposure/alerts", response=list[AlertOut], summary="Concentration alerts of a month in your scope")
def alert_list(request, q: Query[AlertQuery]):
    return list(selectors.alerts(user=request.auth, period=q.period)[:500])
