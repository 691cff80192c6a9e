"""The monthly grading run on a schedule (domain spec G-1: working day 5 of each month)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils.translation import gettext_lazy as _

from kehu.core.calendar import is_chinese_workday
from kehu.core.params import get_param
from kehu.core.periods import parse_period
from kehu.core.scheduler import Job, monthly_slot
from kehu.grading.models import GradingRun, RunState
from kehu.grading.permissions import GradingPerm
from kehu.grading.services._common import require_company_wide
from kehu.grading.services.run import run_period


def _slot(now: datetime) -> str | None:
    return monthly_slot(now, working_day=int(get_param("grading.schedule_working_day", on=now.date())),
                        at=time.fromisoformat(str(get_param("grading.schedule_time", on=now.date()))),
                        is_workday=is_chinese_workday)


def _run(slot: str, now: datetime) -> dict:
    period = date.fromisoformat(f"{slot}-01")
    if GradingRun.objects.filter(period=period, state=RunState.CLOSED).exists():
        # graded by hand before the schedule came round: a closed period needs an explicit reopen (G-1)
        return {"period": slot, "state": "already closed"}
    run = run_period(actor=None, period=period)
    return {"period": slot, "state": run.state, "graded": run.customers_graded}


JOB = Job("grading.monthly_run", _("Monthly customer grading"), _slot, _run)


# ------------------------------------------------------------------ the run as a background job (kehu.core.jobs)

def authorize_run(user, params: dict) -> dict:
    """``POST /api/v1/jobs`` kind ``grading.run``: company-wide run permission, a valid month."""

    require_company_wide(user, GradingPerm.RUN)
    return {"period": f"{parse_period(params.get('period')):%Y-%m}"}


def run_job(ctx) -> dict:
    """Grade a period (resuming from the run's checkpoint when a worker died half-way: idempotent)."""

    run = run_period(actor=ctx.actor, period=ctx.params["period"],
                     progress=lambda done, total: ctx.progress(done, total))
    return {"period": f"{run.period:%Y-%m}", "state": run.state, "graded": run.customers_graded}
