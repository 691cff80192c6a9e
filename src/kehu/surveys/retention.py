"""Survey comments (free text the customer typed), registered from SurveysConfig.ready().

The scores stay (satisfaction statistics, staff scorecards; they identify no one once the comment is
gone); the comment is cleared after the period. 10.6 has no row for it: PIPL Art.19 (the shortest time
necessary) with a proposed 3 years, editable in the admin."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.retention import ANONYMISE, DataClass, register_data_class
from kehu.surveys.models import Answer


def _expired(cutoff: datetime):
    return Answer.objects.filter(answered_at__lte=cutoff).exclude(comment="")


def _apply(queryset, action: str, now: datetime) -> int:
    return Answer.objects.filter(pk__in=queryset.values("pk")).update(comment="")


def register() -> None:
    register_data_class(DataClass(
        code="survey_comment", label=_("Comments in survey answers"), app="surveys", level="rows",
        default_days=1095, default_action=ANONYMISE, basis="PIPL Art.19 (shortest time necessary); 3 y [PROPOSED]",
        expired=_expired, apply=_apply, customer_field="invitation__customer_id", clock=_("the answer"),
        order=60))
