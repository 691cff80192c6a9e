"""Core API: who am I, the audit log (auditor), chain verification."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.core.audit import problem_label, verify_chain
from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import ApiToken, AuditEvent, User
from kehu.core.permissions import ROLE_PERMISSIONS, Perm
from kehu.core.selectors import access_for
from kehu.core.services import role_grant as grant_role
from kehu.core.services import token_revoke as revoke

router = Router(tags=["core"])


class GrantOut(Schema):
    role: str
    org_path: str
    department: str
    own_only: bool


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    org_unit: str | None
    grants: list[GrantOut]
    permissions: list[str]


@router.get("/me", response=MeOut, summary="The calling user, their roles and permissions")
def me(request):
    user = request.auth
    access = access_for(user)
    perms = sorted({p for g in access.grants for p in ROLE_PERMISSIONS.get(g.role, ())})
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name,
        "org_unit": user.org_unit.code if user.org_unit_id else None,
        "grants": [g.__dict__ for g in access.grants], "permissions": perms,
    }


class AuditOut(Schema):
    id: int
    ts: datetime
    actor_name: str
    event_code: int
    event: str
    object_type: str
    object_id: str
    customer_id: int | None
    old_values: dict | None
    new_values: dict | None
    reason: str
    channel: str


class AuditFilter(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: int | None = None
    actor: str | None = Field(None, max_length=150)
    event_code: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=500)


class AuditPage(Schema):
    items: list[AuditOut]
    next_before_id: int | None


def audit_queryset(user, *, customer_id=None, actor=None, event_code=None, since=None, until=None):
    """The audit rows an auditor may read: those of the org units under the auditor's grants.

    Every row carries the org unit it concerns (the customer's, the user's, or the actor's: logins,
    imports and exports included). Rows of no org unit (the system's own) are read by auditors of a
    top-level unit only."""

    access = access_for(user)
    if not access.has(Perm.AUDIT_VIEW):
        raise PermissionDenied()
    scope = Q(pk__in=[])
    for grant in access.grants_for(Perm.AUDIT_VIEW):
        scope |= Q(org_path__startswith=grant.org_path)
        if grant.org_path.count("/") == 2:  # "/HQ/": a root of the org tree
            scope |= Q(org_path="")
    rows = AuditEvent.objects.filter(scope)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    if actor:
        rows = rows.filter(actor_name=actor)
    if event_code is not None:
        rows = rows.filter(event_code=event_code)
    if since is not None:
        rows = rows.filter(ts__gte=since)
    if until is not None:
        rows = rows.filter(ts__lt=until)
    return rows.order_by("-id")


@router.get("/audit", response=AuditPage, summary="Read the audit log (auditor)")
def audit_list(request, filters: Query[AuditFilter]):
    rows = audit_queryset(request.auth, customer_id=filters.customer_id, actor=filters.actor,
                          event_code=filters.event_code, since=filters.since, until=filters.until)
    if filters.before_id:
        rows = rows.filter(pk__lt=filters.before_id)
    items = list(rows[: filters.limit + 1])
    more = len(items) > filters.limit
    items = items[: filters.limit]
    return {"items": items, "next_before_id": items[-1].pk if more and items else None}


class VerifyOut(Schema):
    ok: bool
    problems: list[dict]


@router.get("/audit/verify", response=VerifyOut, summary="Verify the audit hash chain (auditor)")
def audit_verify(request):
    if not access_for(request.auth).has(Perm.AUDIT_VIEW):
        raise PermissionDenied()
    problems = [{**p.__dict__, "label": problem_label(p.kind)} for p in verify_chain()]
    return {"ok": not problems, "problems": problems[:100]}


class TokenOut(Schema):
    id: int
    prefix: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.get("/tokens", response=list[TokenOut], summary="The calling user's API tokens (expiry, last use)")
def token_list(request):
    return list(ApiToken.objects.filter(user=request.auth).order_by("-created_at")[:200])


@router.delete("/tokens/{token_id}", response={204: None, 404: dict},
               summary="Revoke an API token (one's own; a system administrator any)")
def token_revoke(request, token_id: int = Path(..., ge=1, le=2**63 - 1)):
    revoke(token_id=token_id, actor=request.auth)
    return Status(204, None)


class RoleGrantIn(Schema):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(..., max_length=32)
    org: str = Field(..., max_length=32)
    department: str = Field("", max_length=32)
    own_customers_only: bool = False


@router.post("/users/{username}/roles", response={201: GrantOut, 400: dict, 403: dict, 404: dict, 409: dict},
             summary="Grant a role (system administrator); incompatible roles are refused (sod_conflict)")
def role_grant(request, payload: RoleGrantIn, username: str = Path(..., max_length=150)):
    if not access_for(request.auth).has(Perm.USER_MANAGE):
        raise PermissionDenied()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound()
    row = grant_role(user=user, role=payload.role, org_code=payload.org, department=payload.department,
                own_customers_only=payload.own_customers_only, actor=request.auth)
    return Status(201, {"role": row.role, "org_path": row.org_unit.path, "department": row.department,
                 "own_only": row.own_customers_only})
