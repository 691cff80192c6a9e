"""Scoped reads of credit lines: lists, availability, history, the approver's inbox."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import Role, User
from kehu.core.selectors import access_for
from kehu.credit import rules
from kehu.credit.models import CreditLine, CreditUse, LineChange, LineMovement
from kehu.credit.permissions import CreditPerm
from kehu.credit.services._base import check_line_scope
from kehu.credit.services.lines import _renewal_due_q
from kehu.customers.models import GroupMembership


def lines_visible(user: User) -> QuerySet[CreditLine]:
    access = access_for(user)
    if not access.has(CreditPerm.VIEW):
        raise PermissionDenied()
    return CreditLine.objects.filter(access.scope_q(CreditPerm.VIEW, org_path_field="org_path"))


def line_list(*, user: User, status: str = "", customer_id: int | None = None, group_id: int | None = None,
              before: int | None = None, limit: int = 50) -> tuple[list[CreditLine], int | None]:
    rows = lines_visible(user).select_related("customer", "group").order_by("-pk")
    if status:
        rows = rows.filter(status=status)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if group_id:
        rows = rows.filter(group_id=group_id)
    if before:
        rows = rows.filter(pk__lt=before)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].pk if more else None)


def line_get(*, user: User, line_id: int) -> CreditLine:
    line = CreditLine.objects.select_related("customer", "group", "maker", "approver").filter(pk=line_id).first()
    if line is None:
        raise NotFound()
    check_line_scope(user, line, CreditPerm.VIEW)
    return line


def availability(line: CreditLine, today=None) -> dict:
    """Available amount per line and sub-limit (and the group line of a member), as the guard computes it."""
    today = today or timezone.localdate()
    limit = rules.effective_limit(line.line_amount, line.temp_amount, line.temp_valid_to, today)
    usable = line.status == "active" and line.valid_from <= today <= line.valid_to
    out = {
        "limit_amount": limit, "outstanding_amount": line.outstanding_amount, "reserved_amount": line.reserved_amount,
        "exposure_amount": line.exposure_amount,
        "available_amount": rules.available(limit, line.outstanding_amount, line.reserved_amount) if usable else
        rules.ZERO,
        "temp_in_force": rules.temp_in_force(line.temp_amount, line.temp_valid_to, today),
        "sub_limits": [], "group_line": None,
    }
    for sub in line.sub_limits.order_by("product"):
        out["sub_limits"].append({
            "product": sub.product, "off_balance": rules.is_off_balance(sub.product), "limit_amount": sub.limit_amount,
            "outstanding_amount": sub.outstanding_amount, "reserved_amount": sub.reserved_amount,
            "available_amount": min(rules.available(sub.limit_amount, sub.outstanding_amount, sub.reserved_amount),
                                    out["available_amount"]),
        })
    if line.kind == "customer" and line.customer_id:

        membership = GroupMembership.objects.filter(customer_id=line.customer_id).first()
        if membership is not None:
            gline = CreditLine.objects.filter(kind="group", group_id=membership.group_id,
                                              status__in=sorted(rules.LIVE_STATUSES)).order_by("-pk").first()
            if gline is not None:
                glimit = rules.effective_limit(gline.line_amount, gline.temp_amount, gline.temp_valid_to, today)
                out["group_line"] = {"id": gline.pk, "limit_amount": glimit,
                                     "available_amount": rules.available(glimit, gline.outstanding_amount,
                                                                         gline.reserved_amount)}
                out["available_amount"] = min(out["available_amount"], out["group_line"]["available_amount"])
    return out


def movements(*, user: User, line_id: int, before: int | None = None, limit: int = 50):
    line = line_get(user=user, line_id=line_id)
    rows = LineMovement.objects.filter(line=line).order_by("-pk")
    if before:
        rows = rows.filter(pk__lt=before)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].pk if more else None)


def use_get(*, user: User, use_id: int) -> CreditUse:
    use = CreditUse.objects.select_related("line").filter(pk=use_id).first()
    if use is None:
        raise NotFound()
    check_line_scope(user, use.line, CreditPerm.VIEW)
    return use


def uses_of(*, user: User, line_id: int, limit: int = 200) -> list[CreditUse]:
    line = line_get(user=user, line_id=line_id)
    return list(CreditUse.objects.filter(Q(line=line) | Q(group_line=line)).order_by("-pk")[:limit])


def approval_inbox(*, user: User) -> list[CreditLine]:
    """Lines in approval routed to the user's level: the lowest level with authority."""
    paths = [g.org_path for g in access_for(user).grants if g.role == Role.CREDIT_APPROVER]
    if not paths:
        return []
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(routed_org_path=path)
    return list(CreditLine.objects.filter(query, status="in_approval").exclude(maker=user)
                .select_related("customer", "group").order_by("pk")[:200])


def line_changes(*, user: User, status: str = "pending", line_id: int | None = None,
                 limit: int = 200) -> list[LineChange]:
    """Requested line increases in the user's scope (newest first); an approver's own requests are listed
    too, marked by ``requested_by``, because they cannot approve them."""
    rows = LineChange.objects.filter(line__in=lines_visible(user)).select_related("line", "requested_by",
                                                                                   "decided_by")
    if status:
        rows = rows.filter(status=status)
    if line_id:
        rows = rows.filter(line_id=line_id)
    return list(rows.order_by("-pk")[:limit])


def pending_change(line: CreditLine) -> LineChange | None:
    return LineChange.objects.filter(line=line, status="pending").select_related("requested_by").first()


def renewal_due(*, user: User, today=None) -> list[CreditLine]:
    """Lines the user sees that expire within ``bankline.expiry_warning_days`` with no renewal started (B-8)."""

    today = today or timezone.localdate()
    visible = lines_visible(user).values("pk")
    return list(_renewal_due_q(today).filter(pk__in=visible).select_related("customer", "group").order_by("valid_to"))
