"""Scheduled jobs of the reception: the V-9 retention sweep and the V-7 overdue safety checks (daily)."""

from __future__ import annotations

from datetime import datetime, time

from django.utils.translation import gettext_lazy as _

from kehu.core.scheduler import Job, daily_slot
from kehu.reception.services import safety_overdue_scan, visits_purge


def _purge(slot: str, now: datetime) -> dict:
    return visits_purge(now=now)


def _safety(slot: str, now: datetime) -> dict:
    return safety_overdue_scan(now=now)


JOBS = [
    Job("reception.retention", _("Visitor registration retention"), lambda now: daily_slot(now, at=time(2, 30)),
        _purge),
    Job("reception.safety_overdue", _("Overdue safety checks"), lambda now: daily_slot(now, at=time(7, 0)), _safety),
]
