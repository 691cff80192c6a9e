"""Reads of customer grading, always limited to the user's org subtree."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.grading.models import GradeResult, GradingRun
from kehu.grading.permissions import GradingPerm


def runs() -> QuerySet[GradingRun]:
    return GradingRun.objects.select_related("policy").order_by("-period")


def results(*, user: User, period) -> QuerySet[GradeResult]:
    scope = access_for(user).scope_q(GradingPerm.VIEW, org_path_field="org_path")
    return GradeResult.objects.filter(scope, period=period).select_related("customer").order_by("customer_id")
