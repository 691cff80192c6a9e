"""The daily suitability job on kehu's scheduler (Appendix B am.assessment_expiry and am.filing_due)."""

from __future__ import annotations

from datetime import datetime, time

from django.utils.translation import gettext_lazy as _

from kehu.core.params import get_param
from kehu.core.scheduler import Job, daily_slot
from kehu.suitability.services import suitability_expire


def _slot(now: datetime) -> str:
    return daily_slot(now, at=time.fromisoformat(str(get_param("am.expire_time", on=now.date()))))


def _run(slot: str, now: datetime) -> dict:
    return suitability_expire(now=now)


JOB = Job("suitability.daily_expire", _("Daily suitability expiry"), _slot, _run)
