"""The outbox on kehu's scheduler: retries what was not sent on commit."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kehu.core.params import get_param
from kehu.core.scheduler import Job, every_slot
from kehu.outbox.services import outbox_dispatch


def _slot(now: datetime) -> str:
    return every_slot(now, minutes=int(get_param("outbox.dispatch_minutes", on=now.date())))


def _run(slot: str, now: datetime) -> dict:
    return outbox_dispatch(now=now)


JOB = Job("outbox.dispatch", _("Outbox delivery"), _slot, _run)
