"""Reads for core: a user's roles, permissions and data scope; an org unit's business calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from django.db.models import Q, QuerySet

from kehu.core import calendar as cal_rules
from kehu.core.models import CalendarOverride, OrgUnit, RoleAssignment, User, WorkingHours
from kehu.core.permissions import ROLE_PERMISSIONS


@dataclass(frozen=True)
class Grant:
    role: str
    org_path: str
    department: str
    own_only: bool


@dataclass
class Access:
    """A user's effective grants, computed once per request."""

    user: User
    grants: list[Grant] = field(default_factory=list)

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has(self, perm: str) -> bool:
        return any(perm in ROLE_PERMISSIONS.get(g.role, ()) for g in self.grants)

    def grants_for(self, perm: str) -> list[Grant]:
        return [g for g in self.grants if perm in ROLE_PERMISSIONS.get(g.role, ())]

    def departments(self) -> set[str]:
        return {g.department for g in self.grants if g.department}

    def scope_q(self, perm: str, *, org_path_field: str, owner_field: str | None = None) -> Q:
        """A filter matching the objects ``perm`` reaches: the grant's org subtree, and if the grant is
        limited to own customers, only those whose owner is this user. No grant matches nothing."""
        query = Q(pk__in=[])
        for grant in self.grants_for(perm):
            part = Q(**{f"{org_path_field}__startswith": grant.org_path})
            if grant.own_only and owner_field:
                part &= Q(**{owner_field: self.user.pk})
            query |= part
        return query

    def reaches(self, perm: str, *, org_path: str, owner_id: int | None = None) -> bool:
        for grant in self.grants_for(perm):
            if org_path.startswith(grant.org_path) and (not grant.own_only or owner_id == self.user.pk):
                return True
        return False


def access_for(user: User) -> Access:
    if not user or not user.is_authenticated or not user.is_active:
        return Access(user=user)
    cached: Access | None = getattr(user, "_kehu_access", None)
    if cached is not None:
        return cached
    rows = RoleAssignment.objects.filter(user=user, org_unit__is_active=True).select_related("org_unit")
    access = Access(
        user=user,
        grants=[Grant(r.role, r.org_unit.path, r.department, r.own_customers_only) for r in rows],
    )
    user._kehu_access = access
    return access


def org_units_visible_to(user: User) -> QuerySet[OrgUnit]:
    access = access_for(user)
    query = Q(pk__in=[])
    for grant in access.grants:
        query |= Q(path__startswith=grant.org_path)
    return OrgUnit.objects.filter(query)


def calendar_for(org_path: str) -> cal_rules.BusinessCalendar:
    """The business calendar of an org unit: the nearest configured working hours, and overrides of the
    unit and its ancestors (the nearer unit wins) over China's holidays and make-up working days."""
    ancestors = [org_path[:i + 1] for i, ch in enumerate(org_path) if ch == "/"] + [org_path, ""]
    hours = WorkingHours.objects.filter(org_path__in=ancestors).order_by("-org_path").first()
    sessions = cal_rules.DEFAULT_SESSIONS
    if hours:
        sessions = tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in hours.sessions)
    overrides = {}
    for o in CalendarOverride.objects.filter(org_path__in=ancestors).order_by("org_path"):
        overrides[o.day] = o.working
    return cal_rules.BusinessCalendar(sessions=sessions, overrides=overrides)
