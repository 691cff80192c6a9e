"""The daily credit job on a schedule: lapsed reservations released, matured lines expired (B-6), lines
expiring within ``bankline.expiry_warning_days`` without a renewal warned (B-8)."""

from __future__ import annotations

from datetime import datetime, time

from django.utils.translation import gettext_lazy as _

from kehu.core.params import get_param
from kehu.core.scheduler import Job, daily_slot
from kehu.credit.services.guard import use_expire_due
from kehu.credit.services.lines import line_expire_due, line_expiry_warn


def _slot(now: datetime) -> str:
    return daily_slot(now, at=time.fromisoformat(str(get_param("credit.expire_time", on=now.date()))))


def _run(slot: str, now: datetime) -> dict:
    expired = 0
    while True:  # in batches, each in its own transaction, as `kehu credit expire` does
        n = use_expire_due(now=now)
        expired += n
        if n == 0:
            break
    return {"reservations_expired": expired, **line_expire_due(today=now.date()),
            "renewal_warnings": line_expiry_warn(today=now.date())}


JOB = Job("credit.daily_expire", _("Daily credit expiry"), _slot, _run)
