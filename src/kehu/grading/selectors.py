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
    """A month's results in the user's scope: the page, its charts, the XLSX/PDF summary and the API. A
    customer restricted under a legal hold (PI-9, ``pi_restricted``) is left out of all of them."""
    scope = access_for(user).scope_q(GradingPerm.VIEW, org_path_field="org_path")
    return (GradeResult.objects.filter(scope, period=period, customer__pi_restricted=False)
            .select_related("customer").order_by("customer_id"))


def pending_overrides(*, user: User) -> QuerySet[GradeOverride]:
    """Overrides waiting for a decision that this user may take (not their own requests)."""
    scope = access_for(user).scope_q(GradingPerm.OVERRIDE_APPROVE, org_path_field="org_path")
    return (GradeOverride.objects.filter(scope, status=OverrideStatus.PENDING).exclude(requested_by=user)
            .select_related("customer", "requested_by").order_by("requested_at")[:100])
