"""The hold suitability records put on a person (M-13: ≥ 20 y, PI-9), registered from
SuitabilityConfig.ready(). The records themselves carry their own ``retain_until`` and are purged by an
administrator only after it (``record_purge``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.retention import HoldRule, register_hold_rule


def _held(today: date):
    from .models import InvestorProfile

    return InvestorProfile.objects.filter(
        Q(retain_until__gte=today) | Q(assessments__retain_until__gte=today)
        | Q(subscriptions__retain_until__gte=today)).values("customer_id")


def register() -> None:
    register_hold_rule(HoldRule(code="suitability", label=_("Suitability records (≥ 20 years)"), app="suitability",
                                customers=_held))
