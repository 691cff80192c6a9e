"""``surveys.dispatch`` on kehu's scheduler (Appendix B: every 15 minutes)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.params import get_param
from kehu.core.scheduler import Job, every_slot


def _slot(now: datetime) -> str:
    return every_slot(now, minutes=int(get_param("survey.dispatch_minutes", on=now.date())))


def _run(slot: str, now: datetime) -> dict:
    from .services import surveys_dispatch

    return surveys_dispatch(now=now)


JOB = Job("surveys.dispatch", _("Satisfaction survey dispatch"), _slot, _run)
