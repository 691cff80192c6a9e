"""Scoped reads of the regulatory statistics."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.exposure.models import ConcentrationAlert, LargeCreditReport, LargeCreditRow, StatFreeze
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
    """Rows of customers within the user's scope (a branch sees its own customers' rows)."""
    access = _access(user)
    return report.rows.filter(access.scope_q(ExposurePerm.VIEW, org_path_field="org_path")).order_by(
        "-line_amount", "customer_id")


def alerts(*, user: User, period: str) -> QuerySet[ConcentrationAlert]:
    access = _access(user)
    return ConcentrationAlert.objects.filter(freeze__period=period).filter(
        access.scope_q(ExposurePerm.VIEW, org_path_field="org_path")).select_related("customer", "group")
