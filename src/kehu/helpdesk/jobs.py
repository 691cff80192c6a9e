"""The SLA watcher on a schedule: every few minutes (Appendix B service.sla_watch)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.params import get_param
from kehu.core.scheduler import Job, every_slot
from kehu.helpdesk.watch import sla_watch


def _slot(now: datetime) -> str:
    return every_slot(now, minutes=int(get_param("service.sla_watch_minutes", on=now.date())))


def _run(slot: str, now: datetime) -> dict:
    return sla_watch(now=now)


JOB = Job("helpdesk.sla_watch", _("SLA watcher"), _slot, _run)
