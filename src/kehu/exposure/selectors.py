"""Scoped reads of the regulatory statistics."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.customers.models import Customer
from kehu.exposure import rules
from kehu.exposure.models import (
    ConcentrationAlert,
    LargeCreditReport,
    LargeCreditRow,
    ReportStatus,
    StatFreeze,
)
from kehu.exposure.permissions import ExposurePerm


def _access(user: User):
    access = access_for(user)
    if not access.has(ExposurePerm.VIEW):
        raise PermissionDenied()
    return access


def freezes(*, user: User) -> QuerySet[StatFreeze]:
    _access(user)
    return StatFreeze.objects.order_by("-period")


def reports(*, user: User) -> QuerySet[LargeCreditReport]:
    _access(user)
    return LargeCreditReport.objects.order_by("-period", "-pk")


def report_get(*, user: User, report_id: int) -> LargeCreditReport:
    _access(user)
    report = LargeCreditReport.objects.filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    return report


def report_rows(*, user: User, report: LargeCreditReport) -> QuerySet[LargeCreditRow]:
    """Rows of customers within the user's scope (a branch sees its own customers' rows), each annotated
    ``restricted`` when its customer is restricted under a legal hold (PI-9)."""
    access = _access(user)
    return report.rows.filter(access.scope_q(ExposurePerm.VIEW, org_path_field="org_path")).annotate(
        restricted=F("customer__pi_restricted")).order_by("-line_amount", "customer_id")


def restricted_name() -> str:
    return _("Restricted record")


def shown_rows(rows) -> list[LargeCreditRow]:
    """The rows as the page and the API show them. A customer restricted under a legal hold (PI-9: hidden
    from pages, exports and analytics) keeps its row and its amounts: the large-credit statistics are a
    regulatory table, and the total exposure must still count every large credit, so leaving the row out
    would misstate the figures. Only its identity is withheld (name replaced, credit code omitted)."""
    out = list(rows)
    for row in out:
        if getattr(row, "restricted", False):
            row.name, row.uscc = restricted_name(), ""
    return out


def mask_restricted(rows: list[dict], *, keep_code: bool = False) -> list[dict]:
    """The same for rows as dicts (the exports). ``keep_code``: the regulator's XML keeps the credit code,
    the key by which the regulator aggregates a borrower across banks (a legal duty, PIPL Art.13 ¶1(3));
    the name is withheld there too."""

    held = set(Customer.objects.filter(pk__in=[r["customer_id"] for r in rows], pi_restricted=True)
               .values_list("pk", flat=True))
    if not held:
        return rows
    return [{**r, "name": restricted_name(), "uscc": r["uscc"] if keep_code else ""} if r["customer_id"] in held
            else r for r in rows]


def alerts(*, user: User, period: str) -> QuerySet[ConcentrationAlert]:
    access = _access(user)
    return ConcentrationAlert.objects.filter(freeze__period=period).filter(
        access.scope_q(ExposurePerm.VIEW, org_path_field="org_path")).select_related("customer", "group")


def period_deadlines(period: str, *, today=None) -> dict:
    """The internal cut-off and the submission deadline of ``period`` (``report.internal_cutoff_days``,
    ``report.deadline_days_after_month_end``, R-4) and whether a signed table exists, with the warning state."""

    today = today or timezone.localdate()
    dates = rules.report_deadlines(period, deadline_days=int(get_param("report.deadline_days_after_month_end")),
                                   cutoff_days=int(get_param("report.internal_cutoff_days")))
    signed = LargeCreditReport.objects.filter(period=period, status=ReportStatus.SIGNED).exists()
    return {**dates, "period": period, "signed": signed, "state": rules.deadline_state(today, dates, signed=signed)}


def carried_forward_review(*, user: User, report: LargeCreditReport) -> list[dict]:
    """Customers of ``report`` carried forward (renewal pending, R-3) for longer than
    ``report.carried_forward_review_days``: since the month-end before the first period of their unbroken run
    of carried-forward rows (in earlier tables of the same periods) to this table's month-end."""

    rows = shown_rows(report_rows(user=user, report=report).filter(carried_forward=True))
    if not rows:
        return []
    earlier: dict[int, set[str]] = {}
    for customer_id, period in LargeCreditRow.objects.filter(
            customer_id__in=[r.customer_id for r in rows], carried_forward=True,
            report__period__lt=report.period).values_list("customer_id", "report__period").distinct():
        earlier.setdefault(customer_id, set()).add(period)
    limit = int(get_param("report.carried_forward_review_days"))
    end = rules.month_bounds(report.period)[1]
    out = []
    for row in rows:
        since = rules.carried_forward_since(report.period, earlier.get(row.customer_id, set()))
        start = rules.month_bounds(rules.previous_period(since))[1]
        days = (end - start).days
        if days > limit:
            out.append({"row": row, "since": since, "days": days})
    return out
