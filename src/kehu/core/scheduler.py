"""Scheduled jobs: what runs when, and exactly once per slot however many servers tick.

Apps register their periodic jobs in ``AppConfig.ready()`` (``register_job``). An operator runs
``kehu schedule run`` from cron or a systemd timer every few minutes (or ``--loop`` as a small daemon); a
Celery beat entry calling ``run_due`` does the same. Each tick asks every job for the slot due now (a month,
a day, a 15-minute window) and claims it by inserting the unique ``ScheduledRun(job, slot)`` row: a second
server ticking at the same moment fails the insert and skips it. A failed run is retried on later ticks up
to ``scheduler.max_attempts``; a run left ``running`` by a killed process is taken over after
``scheduler.stale_after_minutes``. The jobs themselves are idempotent and resumable (grading resumes from its
checkpoint, the watcher only acts on what is due), so a take-over never does the work twice.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.core.audit import Event, audit_record
from kehu.core.models import ScheduledRun
from kehu.core.params import ParamSpec, get_param

logger = logging.getLogger(__name__)

PARAMS = [
    ParamSpec("scheduler.max_attempts", 3, "attempts", "proposed", "operations",
              "A failed scheduled run is retried on later ticks up to this many attempts.", int),
    ParamSpec("scheduler.stale_after_minutes", 180, "minutes", "proposed", "operations",
              "A run still marked running after this long (its process died) is taken over.", int),
]


# ------------------------------------------------------------------------- slots (pure, time passed in)

def nth_working_day(year: int, month: int, n: int, is_workday: Callable[[date], bool]) -> date:
    """The n-th working day of a month (holidays and make-up working days decided by ``is_workday``)."""
    day, seen = date(year, month, 1), 0
    while day.month == month:
        if is_workday(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)
    raise ValueError(f"{year}-{month:02d} has fewer than {n} working days")


def monthly_slot(now: datetime, *, working_day: int, at: time, is_workday: Callable[[date], bool]) -> str | None:
    """The month (``YYYY-MM``) once its n-th working day at ``at`` has come, else None (not due yet)."""
    due = datetime.combine(nth_working_day(now.year, now.month, working_day, is_workday), at, tzinfo=now.tzinfo)
    return f"{now:%Y-%m}" if now >= due else None


def daily_slot(now: datetime, *, at: time) -> str:
    """Today once ``at`` has passed, else yesterday (so a server that was down catches up once)."""
    day = now.date() if now.timetz().replace(tzinfo=None) >= at else now.date() - timedelta(days=1)
    return day.isoformat()


def every_slot(now: datetime, *, minutes: int) -> str:
    """The ``minutes``-wide window of the day that ``now`` falls in, e.g. ``2026-11-29T10:15``."""
    minutes = max(1, int(minutes))
    since_midnight = now.hour * 60 + now.minute
    start = since_midnight - since_midnight % minutes
    return f"{now.date().isoformat()}T{start // 60:02d}:{start % 60:02d}"


# ------------------------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class Job:
    code: str
    description: Any
    slot: Callable[[datetime], str | None]  # the slot due at ``now`` (local time), or None
    run: Callable[[str, datetime], dict[str, Any]]  # does the work of a slot, returns a small summary


JOBS: dict[str, Job] = {}


def register_job(job: Job) -> None:
    if job.code in JOBS and JOBS[job.code] != job:
        raise RuntimeError(f"scheduled job {job.code} registered twice")
    JOBS[job.code] = job


@dataclass(frozen=True)
class Outcome:
    job: str
    slot: str | None
    state: str  # done, failed, skipped (not due / claimed elsewhere / finished / gave up)
    detail: Any = None


def _claim(job: Job, slot: str, now: datetime) -> ScheduledRun | None:
    """Insert the (job, slot) row, or take over a failed or stale one; None when someone else has it."""
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.code, slot=slot, started_at=now)
    except IntegrityError:
        pass
    stale_before = now - timedelta(minutes=int(get_param("scheduler.stale_after_minutes", on=now.date())))
    max_attempts = int(get_param("scheduler.max_attempts", on=now.date()))
    with transaction.atomic():
        run = ScheduledRun.objects.select_for_update().filter(job=job.code, slot=slot).first()
        if run is None or run.state == ScheduledRun.State.DONE or run.attempts >= max_attempts:
            return None
        if run.state == ScheduledRun.State.RUNNING and run.started_at > stale_before:
            return None  # another process is on it
        run.state, run.attempts, run.started_at, run.finished_at, run.error = (
            ScheduledRun.State.RUNNING, run.attempts + 1, now, None, "")
        run.save(update_fields=["state", "attempts", "started_at", "finished_at", "error"])
        return run


def run_due(*, now: datetime | None = None, only: list[str] | None = None) -> list[Outcome]:
    """Run every registered job whose slot is due and not yet done; returns what happened to each."""
    now = timezone.localtime(now or timezone.now())
    outcomes = []
    for code in sorted(JOBS):
        if only and code not in only:
            continue
        job = JOBS[code]
        slot = job.slot(now)
        if slot is None:
            outcomes.append(Outcome(code, None, "skipped", "not due"))
            continue
        run = _claim(job, slot, now)
        if run is None:
            outcomes.append(Outcome(code, slot, "skipped", "done or running elsewhere"))
            continue
        try:
            result = job.run(slot, now) or {}
        except Exception as exc:  # a failing job must not stop the others; it is recorded and retried
            logger.exception("scheduled job %s %s failed", code, slot)
            with transaction.atomic():
                run.state, run.finished_at = ScheduledRun.State.FAILED, timezone.now()
                run.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
                run.save(update_fields=["state", "finished_at", "error"])
                audit_record(actor=None, event_code=Event.SCHEDULED_RUN_FAILED, object_type="scheduled_run",
                             object_id=run.pk, new={"job": code, "slot": slot, "attempt": run.attempts,
                                                    "error": run.error[:500]})
            outcomes.append(Outcome(code, slot, "failed", run.error))
            continue
        with transaction.atomic():
            run.state, run.finished_at = ScheduledRun.State.DONE, timezone.now()
            run.result = _jsonable(result)
            run.save(update_fields=["state", "finished_at", "result"])
            audit_record(actor=None, event_code=Event.SCHEDULED_RUN_DONE, object_type="scheduled_run",
                         object_id=run.pk, new={"job": code, "slot": slot, "result": run.result})
        outcomes.append(Outcome(code, slot, "done", run.result))
    return outcomes


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
