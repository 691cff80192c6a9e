"""Reads of customer grading, always limited to the user's org subtree."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.grading.models import GradeOverride, GradeResult, GradingRun, OverrideStatus
from kehu.grading.permissions import GradingPerm


def runs() -> QuerySet[GradingRun]:
    return GradingRun.objects.select_related("policy").order_by("-period")


def results(*, user: User, period) -> QuerySet[GradeResult]:
    scope = access_for(user).scope_q(GradingPerm.VIEW, org_path_field="org_path")
    return GradeResult.objects.filter(scope, period=period).select_related("customer").order_by("customer_id")


def pending_overrides(*, user: User) -> QuerySet[GradeOverride]:
    """Overrides waiting for a decision that this user may take (not their own requests)."""
    scope = access_for(user).scope_q(GradingPerm.OVERRIDE_APPROVE, org_path_field="org_path")
    return (GradeOverride.objects.filter(scope, status=OverrideStatus.PENDING).exclude(requested_by=user)
            .select_related("customer", "requested_by").order_by("requested_at")[:100])
