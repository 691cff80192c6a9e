"""Visitor registrations (domain spec 10.6: 180 days; V-9), registered from ReceptionConfig.ready().

Only visits not linked to a customer: a customer's visits are part of the customer's file. The reception's
own job (``reception.retention``, parameter ``reception.registration_retention_days``) erases the same rows
the same way; whichever period is shorter acts first."""

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
from kehu.reception import rules
from kehu.reception.models import Visit, VisitEvent


def _expired(cutoff: datetime):
    return Visit.objects.filter(customer__isnull=True, purged_at__isnull=True, state__in=rules.FINISHED,
                                scheduled_start__lt=cutoff)


def _apply(queryset, action: str, now: datetime) -> int:
    ids = Visit.objects.filter(pk__in=queryset.values("pk"))
    VisitEvent.objects.filter(visit_id__in=ids.values("pk")).update(note="")
    return ids.update(visitor_name="", visitor_phone="", visitor_email="", visitor_organisation="",
                      meeting_notes="", purged_at=now)



def _subject_visits(customer_id: int) -> list[dict]:
    """The visits registered for the person, with the visitor's contact details as recorded (PIPL Art.45); a
    registration already deleted has nothing left to show."""
    return [{"编号": v.pk, "来访人": v.visitor_name, "电话": v.visitor_phone, "电子邮件": v.visitor_email,
             "单位": v.visitor_organisation, "来访目的": v.purpose, "预约时间": when(v.scheduled_start),
             "状态": v.get_state_display(), "到访时间": when(v.checked_in_at), "离开时间": when(v.checked_out_at)}
            for v in Visit.objects.filter(customer_id=customer_id, purged_at__isnull=True).order_by("pk")]


def register() -> None:
    register_data_class(DataClass(
        code="visitor_registration", label=_("Visitor registrations"), app="reception", level="rows",
        default_days=180, default_action=ANONYMISE, basis="domain spec 10.6 [PROPOSED]: 180 days; V-9",
        expired=_expired, apply=_apply, customer_field=None, clock=_("the visit"), order=50))
    register_subject_section(SubjectSection(code="visits", title="来访登记", app="reception", rows=_subject_visits,
                                            order=50))
