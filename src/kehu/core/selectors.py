"""Reads for core: a user's roles, permissions and data scope; an org unit's business calendar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.db import connection
from django.db.models import Field, Q, QuerySet

from kehu.core import calendar as cal_rules
from kehu.core.models import ApiToken, CalendarOverride, OrgUnit, RoleAssignment, User, WorkingHours
from kehu.core.params import generation_query, param_scope_prime
from kehu.core.permissions import ROLE_PERMISSIONS
from kehu.core.reads import convert_row


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


# ------------------------------------------------------------------ the API token's holder, in one query
#
# Every API request starts here (issue 17), so the read is one statement, written once per connection from
# the models' metadata instead of compiled by the ORM on every request (that compiling cost more than the
# database): the token, its user, the user's org unit and the user's role assignments in active org units,
# and the parameter cache's generation (the request's one look at the parameter table, core.params).
# Nothing is cached across requests: a revoked or expired token, a deactivated or locked user, a role granted
# or withdrawn and an org unit deactivated are all seen by the next request.


@dataclass
class TokenHolder:
    """An unrevoked token's own dates and its user (org unit loaded, grants computed: ``access_for`` reads
    nothing more)."""

    token_id: int
    expires_at: datetime | None
    last_used_at: datetime | None
    user: User


_Converter = Callable[[Any, Any, Any], Any]


def _columns(fields: list[Field[Any, Any]], alias: str) -> tuple[list[str], list[tuple[Any, list[_Converter]]]]:
    """The quoted columns of ``fields`` under table ``alias`` and, per column, the converters the ORM would
    apply to its values (the backend's, e.g. SQLite's text datetimes and 0/1 booleans, then the field's own)."""
    quote = connection.ops.quote_name
    names, converters = [], []
    for f in fields:
        col = f.get_col(alias)
        names.append(f"{alias}.{quote(f.column or '')}")
        converters.append((col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]))
    return names, converters


def _token_plan() -> tuple[str, list[Any], list[Any], int, int]:
    plan: tuple[str, list[Any], list[Any], int, int] | None = getattr(connection, "_kehu_token_plan", None)
    if plan is not None:
        return plan
    quote = connection.ops.quote_name
    table = {m: quote(m._meta.db_table) for m in (ApiToken, User, OrgUnit, RoleAssignment)}

    def concrete(model: Any, *names: str) -> list[Field[Any, Any]]:
        return [f for f in model._meta.concrete_fields if not names or f.name in names]

    user_fields, unit_fields = concrete(User), concrete(OrgUnit)
    cols, conv = [], []
    # The grant's columns in Grant's order: role, the unit's path, department, own customers only.
    for fields, alias in ((concrete(ApiToken, "id", "expires_at", "last_used_at"), "t"), (user_fields, "u"),
                          (unit_fields, "o"), (concrete(RoleAssignment, "role"), "ra"), (concrete(OrgUnit, "path"), "ro"),
                          (concrete(RoleAssignment, "department", "own_customers_only"), "ra")):
        names, converters = _columns(fields, alias)
        cols += names
        conv += converters
    generation, generation_params = generation_query()
    cols += [f"g.g{i}" for i in range(5)]
    sql = (
        f"SELECT {', '.join(cols)} FROM {table[ApiToken]} t "  # noqa: S608 (model metadata only)
        # the parameter cache's generation (core.params), the look every request would take in a statement
        # of its own; a one-row aggregate
        f"CROSS JOIN ({generation}) g "
        f"INNER JOIN {table[User]} u ON u.id = t.user_id "
        f"LEFT JOIN {table[OrgUnit]} o ON o.id = u.org_unit_id "
        f"LEFT JOIN {table[RoleAssignment]} ra ON ra.user_id = u.id "
        # a role in an org unit deactivated since grants nothing, as in access_for
        f"LEFT JOIN {table[OrgUnit]} ro ON ro.id = ra.org_unit_id AND ro.is_active = %s "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL ORDER BY ra.id"
    )
    indexed = [(i, convs, col) for i, (col, convs) in enumerate(conv) if convs]
    plan = (sql, [*generation_params, True], indexed, len(user_fields), len(unit_fields))
    connection._kehu_token_plan = plan  # type: ignore[attr-defined]
    return plan


def token_holder(key_hash: str) -> TokenHolder | None:
    """The unrevoked token with this hash and its user, or None. Expiry and the account's state are the
    caller's to judge (``core.services.token_authenticate``)."""
    sql, params, conv, n_user, n_unit = _token_plan()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, key_hash])
        rows = cursor.fetchall()
    if not rows:
        return None
    param_scope_prime(rows[0][-5:])
    converted = [convert_row(row, conv, connection) for row in rows]
    first = converted[0]
    user_at, unit_at, grant_at = 3, 3 + n_user, 3 + n_user + n_unit
    user = User.from_db(connection.alias, [f.attname for f in User._meta.concrete_fields], first[user_at:unit_at])
    unit = None
    if first[unit_at] is not None:
        unit = OrgUnit.from_db(connection.alias, [f.attname for f in OrgUnit._meta.concrete_fields],
                               first[unit_at:grant_at])
    User.org_unit.field.set_cached_value(user, unit)
    if user.is_active:  # access_for gives an inactive user no grants, and reads nothing for them either
        user._kehu_access = Access(user=user, grants=[
            Grant(*v[grant_at:grant_at + 4]) for v in converted if v[grant_at + 1] is not None])
    return TokenHolder(token_id=first[0], expires_at=first[1], last_used_at=first[2], user=user)


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
