"""Visitor registrations (domain spec 10.6: 180 days; V-9), registered from ReceptionConfig.ready().

Only visits not linked to a customer: a customer's visits are part of the customer's file. The reception's
own job (``reception.retention``, parameter ``reception.registration_retention_days``) erases the same rows
the same way; whichever period is shorter acts first."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.retention import ANONYMISE, DataClass, register_data_class
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


def register() -> None:
    register_data_class(DataClass(
        code="visitor_registration", label=_("Visitor registrations"), app="reception", level="rows",
        default_days=180, default_action=ANONYMISE, basis="domain spec 10.6 [PROPOSED]: 180 days; V-9",
        expired=_expired, apply=_apply, customer_field=None, clock=_("the visit"), order=50))
