"""The person's part of an access copy (PIPL Art.45): the dealings staff recorded with them; registered from
ActivitiesConfig.ready()."""

from __future__ import annotations

from kehu.activities.models import Activity
from kehu.core.retention import SubjectSection, register_subject_section, when


def _subject_activities(customer_id: int) -> list[dict]:
    return [{"时间": when(a.occurred_at), "方式": a.get_kind_display(), "摘要": a.summary, "结果": a.outcome,
             "计划下次联系": when(a.next_contact_on)}
            for a in Activity.objects.filter(customer_id=customer_id, deleted=False).order_by("occurred_at", "pk")]


def register() -> None:
    register_subject_section(SubjectSection(code="activities", title="往来记录", app="activities",
                                            rows=_subject_activities, order=20))
