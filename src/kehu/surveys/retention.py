"""Survey comments (free text the customer typed), registered from SurveysConfig.ready().

The scores stay (satisfaction statistics, staff scorecards; they identify no one once the comment is
gone); the comment is cleared after the period. 10.6 has no row for it: PIPL Art.19 (the shortest time
necessary) with a proposed 3 years, editable in the admin."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.retention import (
    ANONYMISE,
    DataClass,
    SubjectSection,
    register_data_class,
    register_subject_section,
    when,
)
from kehu.surveys.models import Answer, Invitation


def _expired(cutoff: datetime):
    return Answer.objects.filter(answered_at__lte=cutoff).exclude(comment="")


def _apply(queryset, action: str, now: datetime) -> int:
    return Answer.objects.filter(pk__in=queryset.values("pk")).update(comment="")



def _subject_surveys(customer_id: int) -> list[dict]:
    """The surveys sent to the person and what they answered (PIPL Art.45)."""
    rows = []
    for inv in Invitation.objects.filter(customer_id=customer_id).select_related("template", "answer").order_by("pk"):
        answer = getattr(inv, "answer", None)
        rows.append({"问卷": inv.template.title, "发送时间": when(inv.sent_at), "回答时间": when(inv.answered_at),
                     "总体评分": answer.overall if answer else None, "意见": answer.comment if answer else None})
    return rows


def register() -> None:
    register_data_class(DataClass(
        code="survey_comment", label=_("Comments in survey answers"), app="surveys", level="rows",
        default_days=1095, default_action=ANONYMISE, basis="PIPL Art.19 (shortest time necessary); 3 y [PROPOSED]",
        expired=_expired, apply=_apply, customer_field="invitation__customer_id", clock=_("the answer"),
        order=60))
    register_subject_section(SubjectSection(code="surveys", title="满意度调查", app="surveys", rows=_subject_surveys,
                                            order=60))
