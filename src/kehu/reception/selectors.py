"""Reads of the reception, within the caller's data scope (the org subtree where they hold the role)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.params import get_param
from kehu.core.selectors import access_for

from . import permissions as P
from . import rules
from .models import SafetyCheckItem, Visit


def visits_visible_to(user, perm: str = P.VIEW):
    access = access_for(user)
    if not access.has(perm):
        raise PermissionDenied()
    return Visit.objects.filter(access.scope_q(perm, org_path_field="org_path"))


def visit_list(*, user, day: date | None = None, state: str | None = None):
    qs = visits_visible_to(user).select_related("host", "customer")
    if day is not None:
        qs = qs.filter(scheduled_start__date=day)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("scheduled_start", "pk")


def visit_get(*, user, visit_id: int, perm: str = P.VIEW, lock: bool = False) -> Visit:
    """One visit the user reaches with ``perm``: 403 without the permission, 404 outside the scope."""
    access = access_for(user)
    if not access.has(perm):
        raise PermissionDenied()
    qs = Visit.objects.select_for_update() if lock else Visit.objects.select_related("host", "customer")
    visit = qs.filter(pk=visit_id).first()
    if visit is None or not access.reaches(perm, org_path=visit.org_path):
        raise NotFound()
    return visit


def notes_visible(user, visit: Visit) -> bool:
    """S2 §4(4): the notes of a confidential negotiation are for the host, the reception staff member and
    holders of ``reception.confidential`` only."""
    if not visit.confidential:
        return True
    if user.pk in (visit.host_id, visit.reception_user_id):
        return True
    return access_for(user).reaches(P.CONFIDENTIAL, org_path=visit.org_path)


def desk_day(*, user, day: date, now: datetime) -> dict:
    """The reception desk for a day: who is expected, who is in the building, who overstayed, who left."""

    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time(0), tz)
    qs = visits_visible_to(user).select_related("host", "customer")
    todays = list(qs.filter(scheduled_start__gte=start, scheduled_start__lt=start + timedelta(days=1))
                  .order_by("scheduled_start", "pk"))
    # visitors still in the building from an earlier day belong on today's desk too
    inside = list(qs.filter(state__in=rules.IN_BUILDING).order_by("checked_in_at", "pk"))
    grace = int(get_param("reception.overstay_grace_minutes", on=day))
    for v in inside:
        v.overstayed = rules.overstay(state=v.state, checked_in_at=v.checked_in_at,
                                      expected_minutes=v.expected_minutes, grace_minutes=grace, now=now)
        v.expected_end = v.checked_in_at + timedelta(minutes=v.expected_minutes) if v.checked_in_at else None
    return {
        "expected": [v for v in todays if v.state in ("requested", "scheduled")],
        "inside": inside,
        "overstayed": [v for v in inside if v.overstayed],
        "finished": [v for v in todays if v.state in rules.FINISHED],
    }


def safety_items(*, user):
    access = access_for(user)
    if not access.has(P.VIEW):
        raise PermissionDenied()
    return SafetyCheckItem.objects.filter(access.scope_q(P.VIEW, org_path_field="org_path"), active=True) \
        .order_by("next_due_on", "pk")
