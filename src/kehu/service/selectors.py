"""Scoped reads of customer service, and the business calendar of an org unit."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from django.db.models import Q, Sum

from kehu.core.models import OrgUnit
from kehu.core.params import get_param

from .calendar_rules import WorkCalendar
from .models import CalendarOverride, ReceivableReduction, WorkingHours


def _sessions(raw) -> tuple[tuple[time, time], ...]:
    return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in raw)


def calendar_for(*, org_path: str = "/") -> WorkCalendar:
    """The calendar of the unit at ``org_path``: organisation-wide overrides, then each ancestor's down to the
    unit itself (the deepest wins); the working hours of the nearest unit that has them, else the parameter."""
    codes = [c for c in org_path.strip("/").split("/") if c]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    chain = [units[c].pk for c in codes if c in units]  # root first
    depth = {None: -1} | {pk: i for i, pk in enumerate(chain)}
    rows = CalendarOverride.objects.filter(Q(org_unit__isnull=True) | Q(org_unit_id__in=chain))
    chosen: dict[date, tuple[int, bool]] = {}
    for row in rows:
        d = depth[row.org_unit_id]
        if row.day not in chosen or chosen[row.day][0] < d:
            chosen[row.day] = (d, row.is_working)
    hours = {h.org_unit_id: h.sessions for h in WorkingHours.objects.filter(org_unit_id__in=chain)}
    sessions = next((hours[pk] for pk in reversed(chain) if pk in hours), None)
    if sessions is None:
        sessions = get_param("service.working_sessions")
    return WorkCalendar(sessions=_sessions(sessions), overrides={d: w for d, (_, w) in chosen.items()})


def receivable_reduction_total(
    *, customer_id: int, until: date | None = None, currency: str = "CNY"
) -> Decimal:
    """Sum of approved allowances and credit notes of a customer (for the trade-credit module; unscoped:
    the caller has already checked it may see the customer)."""
    qs = ReceivableReduction.objects.filter(customer_id=customer_id, currency=currency)
    if until is not None:
        qs = qs.filter(effective_on__lte=until)
    return qs.aggregate(s=Sum("reduction_amount"))["s"] or Decimal("0.00")
