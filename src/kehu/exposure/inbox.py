"""Regulatory-statistics work for the inbox (kehu.core.inbox): large-credit tables submitted for sign-off,
for a checker other than their maker."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.inbox import InboxRow, InboxSection, section
from kehu.core.selectors import access_for
from kehu.exposure.models import LargeCreditReport
from kehu.exposure.permissions import ExposurePerm


def sections(user) -> list[InboxSection]:
    if not access_for(user).has(ExposurePerm.SIGNOFF):
        return []
    reports = LargeCreditReport.objects.filter(status="submitted").exclude(maker=user).order_by("period", "pk")
    return [section("reports_to_sign", gettext_lazy("Large-credit tables waiting for my sign-off"), reports,
                    lambda r: InboxRow(url=reverse("exposure:report", args=[r.pk]),
                                       title=_("Large-credit table %(period)s") % {"period": r.period},
                                       detail=_("Submitted %(at)s") % {
                                           "at": timezone_local(r.submitted_at)},
                                       status=r.get_status_display(), code="pending"))]


def timezone_local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
