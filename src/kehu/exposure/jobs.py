"""The month-end freeze as a background job (issue 17: long work runs on the job runner).

Freezing a month writes every customer's and group's positions (domain spec 4.3): at a million customers that
is minutes, too long for a web request. The page (and ``POST /api/v1/jobs`` with kind ``exposure.freeze``)
queues it after the same checks ``month_freeze`` makes first; the worker (Celery with ``KEHU_BROKER_URL``,
otherwise the one ``kehu serve`` starts) runs ``month_freeze``. The freeze is one transaction, so a worker that
dies half-way leaves nothing and the job runs again (idempotent); a run that finds the month frozen by an
earlier attempt of the same job reports that freeze instead of failing.
"""

from __future__ import annotations

from typing import Any

from kehu.core.errors import Conflict
from kehu.core.jobs import JobContext, job_submit
from kehu.core.models import Job
from kehu.exposure import services
from kehu.exposure.models import FrozenPosition, StatFreeze

KIND = "exposure.freeze"


def authorize_freeze(user, params: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/v1/jobs`` with kind ``exposure.freeze``: 403 without the right to run statistics, 400 for a
    month that is not YYYY-MM, 409 ``already_frozen``."""
    return {"period": services.month_freeze_check(actor=user, period=params.get("period"))}


def freeze_submit(*, actor, period: Any) -> Job:
    return job_submit(kind=KIND, params=authorize_freeze(actor, {"period": period}), actor=actor)


def freeze_job(ctx: JobContext) -> dict[str, Any]:
    period = str(ctx.params["period"])
    try:
        freeze = services.month_freeze(actor=ctx.actor, period=period, channel="job")
        already = False
    except Conflict as exc:
        if exc.code != "already_frozen":
            raise
        freeze = StatFreeze.objects.get(period=period)  # an earlier attempt of this job committed it
        already = True
    positions = FrozenPosition.objects.filter(freeze=freeze).count()
    ctx.progress(positions, positions)
    return {"period": period, "freeze": freeze.pk, "positions": positions, "already_frozen": already}


def running_freezes(*, limit: int = 5) -> list[Job]:
    """The latest freeze jobs, for the statistics page (it reloads itself while one runs)."""
    return list(Job.objects.filter(kind=KIND).order_by("-id")[:limit])
