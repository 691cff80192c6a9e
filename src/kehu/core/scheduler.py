"""Scheduled jobs: what runs when, and exactly once per slot however many servers tick.

Apps register their periodic jobs in ``AppConfig.ready()`` (``register_job``). An operator runs
``kehu schedule run`` from cron or a systemd timer every few minutes (or ``--loop`` as a small daemon); a
Celery beat entry calling ``run_due`` does the same. Each tick asks every job for the slot due now (a month,
a day, a 15-minute window) and claims it by inserting the unique ``ScheduledRun(job, slot)`` row: a second
server ticking at the same moment fails the insert and skips it. A failed run is retried on later ticks up
to ``scheduler.max_attempts``; a run left ``running`` by a killed process is taken over after
``scheduler.stale_after_minutes``. The jobs themselves are idempotent and resumable (grading resumes from its
checkpoint, the watcher only acts on what is due), so a take-over never does the work twice.

Where a slot's work runs: where background jobs have workers (``KEHU_BROKER_URL`` set: Celery; or the worker
process of ``kehu serve``), the tick only claims the slot and queues a ``core.scheduled`` job for it, so the
monthly grading, the SLA watch and the reports run on a worker machine and not in the cron process of a web
server; the job checks that its claim (the slot's attempt) is still the current one before doing the work.
Without workers (a development server, tests, ``kehu schedule run --inline``) the tick runs the work itself.
The embedded worker of ``kehu serve`` also ticks (every ``TICK_SECONDS``), so a single machine needs no cron.
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.audit import Event, audit_record
from kehu.core.errors import InvalidInput
from kehu.core.jobs import JobContext, job_submit, requeue_stale, runner
from kehu.core.models import ScheduledRun
from kehu.core.params import ParamSpec, get_param

logger = logging.getLogger(__name__)

# The job kind that runs one claimed slot on a worker.
SLOT_KIND = "core.scheduled"
# Seconds between the scheduler ticks of an embedded worker (``kehu serve``); a slot is at least 5 minutes wide.
TICK_SECONDS = 60

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
    # Runs in the tick even where slots are queued: short work that must not wait for (or depend on) a worker.
    in_tick: bool = False


JOBS: dict[str, Job] = {}


def register_job(job: Job) -> None:
    if job.code in JOBS and JOBS[job.code] != job:
        raise RuntimeError(f"scheduled job {job.code} registered twice")
    JOBS[job.code] = job


@dataclass(frozen=True)
class Outcome:
    job: str
    slot: str | None
    state: str  # done, failed, queued (for a worker), skipped (not due / claimed elsewhere / finished / gave up)
    detail: Any = None


def _claim(job: Job, slot: str, now: datetime) -> ScheduledRun | None:
    """Insert the (job, slot) row, or take over a failed or stale one; None when someone else has it."""
    stale_before = now - timedelta(minutes=int(get_param("scheduler.stale_after_minutes", on=now.date())))
    max_attempts = int(get_param("scheduler.max_attempts", on=now.date()))
    # A plain read first: most ticks find every slot done, and an embedded worker ticks every minute; on
    # SQLite each attempted insert would take the database's write lock (IMMEDIATE transactions).
    seen = ScheduledRun.objects.filter(job=job.code, slot=slot).values_list("state", "attempts", "started_at").first()
    if seen is not None:
        state, attempts, started_at = seen
        if state == ScheduledRun.State.DONE or attempts >= max_attempts:
            return None
        if state == ScheduledRun.State.RUNNING and started_at > stale_before:
            return None
    else:
        try:
            with transaction.atomic():
                return ScheduledRun.objects.create(job=job.code, slot=slot, started_at=now)
        except IntegrityError:
            pass  # another server inserted it a moment ago: decide on its row below
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


def queues_slots() -> bool:
    """Whether a tick hands the slots' work to background workers (they exist) instead of running it."""
    return runner() in ("celery", "worker")


def run_due(*, now: datetime | None = None, only: list[str] | None = None,
            inline: bool | None = None) -> list[Outcome]:
    """Claim every registered job whose slot is due and not yet done, and run it (``inline``) or queue it for
    a worker (the default where workers exist, see ``queues_slots``); returns what happened to each."""
    now = timezone.localtime(now or timezone.now())
    queue = not inline if inline is not None else queues_slots()
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
        if queue and not job.in_tick:
            queued = job_submit(kind=SLOT_KIND, in_thread=False, eager=False,
                                key=f"scheduled:{code}:{slot}:{run.attempts}",
                                params={"job": code, "slot": slot, "attempt": run.attempts,
                                        "now": now.isoformat()})
            outcomes.append(Outcome(code, slot, "queued", {"job_id": queued.pk}))
            continue
        outcomes.append(_execute(job, run, slot, now))
    return outcomes


def _execute(job: Job, run: ScheduledRun, slot: str, now: datetime) -> Outcome:
    """Do a claimed slot's work and record the outcome on its row (and in the audit log)."""
    code = job.code
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
        return Outcome(code, slot, "failed", run.error)
    with transaction.atomic():
        run.state, run.finished_at = ScheduledRun.State.DONE, timezone.now()
        run.result = _jsonable(result)
        run.save(update_fields=["state", "finished_at", "result"])
        audit_record(actor=None, event_code=Event.SCHEDULED_RUN_DONE, object_type="scheduled_run",
                     object_id=run.pk, new={"job": code, "slot": slot, "result": run.result})
    return Outcome(code, slot, "done", run.result)


class SlotFailed(Exception):
    """A queued slot's work failed: the job fails too (the slot is retried by a later tick, not the job)."""


def run_slot_job(context: JobContext) -> dict[str, Any]:
    """The ``core.scheduled`` job: do the work of the slot a tick claimed, if that claim is still current.

    A slot taken over meanwhile (its job waited in the queue past ``scheduler.stale_after_minutes`` and a later
    tick claimed it again) has a higher attempt number: this job then does nothing, the newer one does it."""
    code, slot = str(context.params.get("job", "")), str(context.params.get("slot", ""))
    job = JOBS.get(code)
    if job is None:
        raise InvalidInput(_("There is no scheduled job %(code)s.") % {"code": code}, field="job")
    attempt = int(context.params.get("attempt", 0))
    # The claim is confirmed and its clock restarted in one statement: the queue's wait does not count
    # towards a take-over, and a run that lost its claim finds no row to update.
    if not ScheduledRun.objects.filter(job=code, slot=slot, attempts=attempt,
                                       state=ScheduledRun.State.RUNNING).update(started_at=timezone.now()):
        return {"skipped": "the slot was taken over or has finished"}
    run = ScheduledRun.objects.get(job=code, slot=slot)
    now = timezone.localtime(datetime.fromisoformat(str(context.params["now"])))
    outcome = _execute(job, run, slot, now)
    if outcome.state == "failed":
        raise SlotFailed(outcome.detail)
    return {"job": code, "slot": slot, "result": outcome.detail}


def _stale_slot(now: datetime) -> str:
    return every_slot(now, minutes=5)


def _stale_run(slot: str, now: datetime) -> dict[str, int]:
    return requeue_stale()


# On Celery there is no embedded worker to look for lost jobs: `kehu schedule run` does, every 5 minutes.
# It runs in the tick itself: it rescues the queue, so it cannot wait in it.
STALE_JOB = Job("core.jobs_requeue_stale", gettext_lazy("Take over background jobs of a lost worker"),
                _stale_slot, _stale_run, in_tick=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
