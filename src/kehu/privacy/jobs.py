"""The nightly retention sweeper (Appendix B privacy.retention_sweeper)."""

from __future__ import annotations

from datetime import datetime, time

from django.utils.translation import gettext_lazy as _

from kehu.core.scheduler import Job, daily_slot
from kehu.privacy.services import retention_sweep


def _slot(now: datetime) -> str:
    return daily_slot(now, at=time(1, 0))


def _run(slot: str, now: datetime) -> dict:
    run = retention_sweep(dry_run=False, now=now)
    return {"candidates": len(run.items), "erased": run.erased, "restricted": run.restricted,
            "rows": {c["class"]: c["acted"] for c in run.classes}}


JOBS = [Job("privacy.retention_sweeper", _("Retention sweeper"), _slot, _run)]
