"""Reads of the staff assessment: one's own scorecard, the team's league table (within the manager's org
subtree), the commendation list and the interviews."""

from __future__ import annotations

from datetime import date

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.selectors import access_for

from . import permissions as P
from .models import Interview, Scorecard


def own_scorecard(*, user, period: date) -> Scorecard:
    if not access_for(user).has(P.SELF):
        raise PermissionDenied()
    card = Scorecard.objects.filter(user=user, period=period).first()
    if card is None:
        raise NotFound()
    return card


def league(*, user, period: date):
    access = access_for(user)
    if not access.has(P.MANAGE):
        raise PermissionDenied()
    return Scorecard.objects.filter(access.scope_q(P.MANAGE, org_path_field="org_path"), period=period) \
        .select_related("user").order_by("-complete", "-total", "user__username")


def commendations(*, user, period: date):
    return [c for c in league(user=user, period=period) if c.detail.get("band") == "commend"]


def interviews(*, user, period: date | None = None):
    access = access_for(user)
    if not access.has(P.MANAGE):
        raise PermissionDenied()
    qs = Interview.objects.filter(access.scope_q(P.MANAGE, org_path_field="org_path")).select_related("user")
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("held_at", "due_on", "pk")
