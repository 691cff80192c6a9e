"""Background jobs: one API for long work, run on Celery or in kehu's own worker process.

An app registers each kind of long work it offers from ``AppConfig.ready()`` (``register_job_kind``); a page,
an API or a command submits it (``job_submit``) and answers at once with the ``Job`` row, whose status and
progress ``GET /api/v1/jobs/{id}`` shows. Where the job runs is the deployment's choice (docs/deployment.md):

- ``KEHU_BROKER_URL`` set: the job's id goes to Celery (Redis as the broker) and a ``kehu worker`` on any
  machine runs it;
- otherwise ``kehu serve`` starts a worker process beside gunicorn (``kehu worker --embedded``) that takes
  queued rows from the database (``KEHU_JOB_RUNNER=worker``);
- otherwise (a development server, tests, a bare gunicorn) a thread of the submitting process runs it.

Exactly once: whoever runs a job first claims its row with one atomic statement (``queued`` to ``running``,
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on SQLite), so a Celery message
delivered twice, two workers polling the same table, or a thread and a worker never both run it. Only the
claim's holder may finish it. A job whose process died (no heartbeat for ``jobs.stale_after_minutes``) or that
raised an unexpected error is queued again only if its kind is registered ``idempotent`` (each of those
already survives being killed and run again: the import's chunk ledger, grading's checkpoint, the ingest's
unique transaction ids, the survey's unique source key); any other is marked failed for a person to look at.
A business refusal (``DomainError``) is final and never retried.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.audit import audit_record
from kehu.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from kehu.core.models import Job
from kehu.core.params import ParamSpec, get_param
from kehu.core.permissions import Perm
from kehu.core.selectors import access_for

logger = logging.getLogger(__name__)

Status = Job.Status

PARAMS = [
    ParamSpec("jobs.max_attempts", 3, "attempts", "proposed", "operations",
              "A job of an idempotent kind that fails unexpectedly or loses its worker is run again up to this "
              "many attempts in all.", int),
    ParamSpec("jobs.retry_delay_seconds", 30, "seconds", "proposed", "operations",
              "Wait before the next attempt of a failed job (times the attempts so far).", int),
    ParamSpec("jobs.stale_after_minutes", 10, "minutes", "proposed", "operations",
              "A running job without a heartbeat for this long has lost its worker and is taken over.", int),
]

# Seconds between heartbeats of a running job, and between polls of an idle embedded worker.
HEARTBEAT_SECONDS = 30
POLL_SECONDS = 0.5
# Progress is written at most this often (a job reporting every row would otherwise write every row).
PROGRESS_EVERY_SECONDS = 1.0


class JobEvent:
    """Audit event codes of background jobs (core area, 119x). Never renumber."""

    JOB_SUBMITTED = 1190
    JOB_FAILED = 1191


LABELS = {
    JobEvent.JOB_SUBMITTED: gettext_lazy("Background job submitted"),
    JobEvent.JOB_FAILED: gettext_lazy("Background job failed"),
}


# ------------------------------------------------------------------------------------------- registry

@dataclass
class JobContext:
    """What a job function gets: its parameters, the submitting user, and a progress reporter."""

    job_id: int
    params: dict
    actor: Any
    _last: float = field(default=0.0, repr=False)

    def progress(self, done: int, total: int | None = None, note: str = "") -> None:
        """Record progress (throttled to about once a second) and a heartbeat."""
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_SECONDS and (total is None or done < total):
            return
        self._last = now
        fields: dict[str, Any] = {"progress_done": max(0, int(done)), "heartbeat_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = max(0, int(total))
        if note:
            fields["progress_note"] = str(note)[:200]
        Job.objects.filter(pk=self.job_id, status=Status.RUNNING).update(**fields)


@dataclass(frozen=True)
class JobKind:
    kind: str
    run: Callable[[JobContext], dict | None]
    label: Any
    # Safe to run again after a crash or an unexpected error (the work resumes or finds it already done).
    idempotent: bool = False
    # For ``POST /api/v1/jobs``: check the user's permission, validate and return the parameters (raising a
    # DomainError). A kind without it can only be submitted by code (a page, a command).
    authorize: Callable[[Any, dict], dict] | None = None


KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: str, run: Callable[[JobContext], dict | None], *, label: Any, idempotent: bool = False,
                      authorize: Callable[[Any, dict], dict] | None = None) -> None:
    """Make a kind of background work known (from an app's ``AppConfig.ready()``)."""
    entry = JobKind(kind, run, label, idempotent, authorize)
    if kind in KINDS and KINDS[kind].run is not run:
        raise RuntimeError(f"job kind {kind} registered twice")
    KINDS[kind] = entry


# ------------------------------------------------------------------------------------------- submit

# Tests that keep their data inside a transaction run jobs inline, in the caller's transaction.
EAGER = False


def runner() -> str:
    """Where submitted jobs run: ``celery``, ``worker`` (the embedded worker process) or ``thread``."""
    if settings.KEHU_BROKER_URL:
        return "celery"
    return settings.KEHU_JOB_RUNNER


def job_submit(*, kind: str, params: dict | None = None, actor=None, key: str | None = None,
               eager: bool | None = None, in_thread: bool = True) -> Job:
    """Queue a job of ``kind`` and return its row; the same ``key`` returns the job already submitted.

    The job is handed to its runner after the caller's transaction commits (a worker's own connection must
    see the row); ``eager`` (or ``EAGER``) runs it now, inside the caller's transaction, and returns it done
    or failed. ``in_thread=False``: a short-lived process (a command) leaves the job to a worker instead of a
    thread that would die with it."""
    if kind not in KINDS:
        raise InvalidInput(_("There is no background job of kind %(k)s.") % {"k": kind}, field="kind")
    params = dict(params or {})
    if key is not None:
        key = str(key)[:200]
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=kind, params=params, key=key, created_by=user,
                                     org_unit_id=getattr(user, "org_unit_id", None), run_after=timezone.now())
            audit_record(actor=user, event_code=JobEvent.JOB_SUBMITTED, object_type="job", object_id=job.pk,
                         new={"kind": kind, "params": params})
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)  # a concurrent retry of the same submission won the insert
    if EAGER if eager is None else eager:
        return job_run_now(job.pk)
    if in_thread or runner() != "thread":
        transaction.on_commit(lambda: dispatch(job.pk))
    return job


def dispatch(job_id: int, *, countdown: float = 0) -> None:
    """Hand a queued job to the configured runner (called after commit)."""
    mode = runner()
    if mode == "celery":
        # only with a broker (KEHU_BROKER_URL): the Celery app loads Celery
        from kehu.core.celery_app import app

        try:
            app.send_task("kehu.run_job", args=[job_id], countdown=countdown or None)
        except Exception:  # the broker is away: the job stays queued and core.jobs_requeue_stale sends it again
            logger.exception("cannot send job %s to the broker", job_id)
    elif mode == "thread":
        threading.Thread(target=_run_in_thread, args=(job_id, countdown), daemon=True,
                         name=f"kehu-job-{job_id}").start()
    # "worker": the embedded worker polls the table; nothing to send.


def _run_in_thread(job_id: int, countdown: float) -> None:
    try:
        if countdown:
            time.sleep(countdown)
        while True:
            job = job_claim(worker=f"thread@{_host()}:{os.getpid()}", job_id=job_id)
            if job is None:
                return
            job = job_execute(job)
            if job.status != Status.QUEUED:
                return
            time.sleep(max(0.0, (job.run_after - timezone.now()).total_seconds()))
    except Exception:  # the row says what happened; a thread has no one to report to
        logger.exception("background job %s failed in its thread", job_id)
    finally:
        connections.close_all()


def job_run_now(job_id: int) -> Job:
    """Claim and run one job in this thread (tests, the eager mode); retries are left queued."""
    job = job_claim(worker=f"inline@{_host()}:{os.getpid()}", job_id=job_id)
    if job is None:
        return Job.objects.get(pk=job_id)
    return job_execute(job, heartbeat=False, reraise=True)


# ------------------------------------------------------------------------------------------- claim and run

def _host() -> str:
    return socket.gethostname()[:60]


def job_claim(*, worker: str, job_id: int | None = None, kinds: list[str] | None = None) -> Job | None:
    """Take one queued job that is due (``job_id``: that one only) for ``worker``; None when there is none.

    The change from queued to running is one statement that names the expected state, so of two workers
    only one changes the row; PostgreSQL's SKIP LOCKED lets the other go straight to the next row."""
    now = timezone.now()
    token = f"{worker}/{uuid.uuid4().hex[:12]}"[:120]
    claim = {"status": Status.RUNNING, "claimed_by": token, "started_at": now, "heartbeat_at": now,
             "finished_at": None, "attempts": F("attempts") + 1}
    due = Job.objects.filter(status=Status.QUEUED, run_after__lte=now)
    if job_id is not None:
        due = due.filter(pk=job_id)
    if kinds:
        due = due.filter(kind__in=kinds)
    if not due.exists():
        # A plain read first: an idle worker polling twice a second must not take SQLite's write lock
        # (IMMEDIATE transactions) each time.
        return None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            found = due.select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True).first()
            if found is None:
                return None
            Job.objects.filter(pk=found).update(**claim)
        else:
            # SQLite: IMMEDIATE transactions serialise writers; the WHERE on the state makes the claim atomic
            # even without them.
            first = due.order_by("id").values("id")[:1]
            if not Job.objects.filter(pk__in=first, status=Status.QUEUED).update(**claim):
                return None
        return Job.objects.select_related("created_by").get(claimed_by=token)


class WorkerStopped(BaseException):
    """Raised in a worker's main thread by SIGTERM/SIGINT: the job in hand goes back to the queue."""


def job_execute(job: Job, *, heartbeat: bool = True, reraise: bool = False) -> Job:
    """Run a claimed job's function and record the outcome; returns the row as it ends up.

    ``reraise`` (inline runs): an unexpected error is recorded and then raised to the caller, as a direct
    call of the function would."""
    kind = KINDS.get(job.kind)
    if kind is None:
        return _finish(job, Status.FAILED, error=f"unknown job kind {job.kind}", retry=False)
    context = JobContext(job_id=job.pk, params=dict(job.params), actor=job.created_by)
    beat = _Heartbeat(job) if heartbeat else None
    try:
        if beat:
            beat.start()
        result = kind.run(context) or {}
    except WorkerStopped:
        _release(job)
        raise
    except DomainError as exc:  # a business refusal: the same input would be refused again
        return _finish(job, Status.FAILED, error=str(exc.message), retry=False)
    except Exception as exc:
        logger.exception("background job %s (%s) failed", job.pk, job.kind)
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        finished = _finish(job, Status.FAILED, error=error, retry=kind.idempotent and not reraise)
        if reraise:
            raise
        return finished
    finally:
        if beat:
            beat.stop()
    return _finish(job, Status.DONE, result=_jsonable(result))


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "", retry: bool = False) -> Job:
    now = timezone.now()
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.claimed_by != job.claimed_by or current.status != Status.RUNNING:
            return current  # taken over after a missed heartbeat: the new holder records the outcome
        max_attempts = int(get_param("jobs.max_attempts", on=timezone.localdate()))
        if status == Status.FAILED and retry and current.attempts < max_attempts:
            delay = int(get_param("jobs.retry_delay_seconds", on=timezone.localdate())) * current.attempts
            current.status, current.run_after, current.error = Status.QUEUED, now + timedelta(seconds=delay), error[:4000]
            current.claimed_by = ""
            current.save(update_fields=["status", "run_after", "error", "claimed_by"])
            if runner() == "celery":
                transaction.on_commit(lambda: dispatch(current.pk, countdown=delay))
            return current
        current.status, current.finished_at, current.error = status, now, error[:4000]
        current.result = result or {}
        if status == Status.DONE and current.progress_total:
            current.progress_done = current.progress_total
        current.save(update_fields=["status", "finished_at", "error", "result", "progress_done"])
        if status == Status.FAILED:
            audit_record(actor=None, event_code=JobEvent.JOB_FAILED, object_type="job", object_id=current.pk,
                         new={"kind": current.kind, "attempts": current.attempts, "error": error[:500]})
    return current


def _release(job: Job) -> None:
    """Put a job back in the queue because its worker is stopping (it resumes where it was on the next run)."""
    Job.objects.filter(pk=job.pk, claimed_by=job.claimed_by, status=Status.RUNNING).update(
        status=Status.QUEUED, claimed_by="", attempts=F("attempts") - 1)


class _Heartbeat:
    """Touches the running job's row every HEARTBEAT_SECONDS from a side thread (its own connection)."""

    def __init__(self, job: Job) -> None:
        self.job, self.stopped = job, threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"kehu-job-{job.pk}-heartbeat")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                Job.objects.filter(pk=self.job.pk, claimed_by=self.job.claimed_by,
                                   status=Status.RUNNING).update(heartbeat_at=timezone.now())
        except Exception:  # a missed beat only risks a take-over of an idempotent job
            logger.exception("heartbeat of job %s", self.job.pk)
        finally:
            connections.close_all()


def requeue_stale(*, now: datetime | None = None) -> dict[str, int]:
    """Take over running jobs whose worker stopped beating: queue the idempotent ones again (up to
    ``jobs.max_attempts``), fail the others. Returns the counts."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=int(get_param("jobs.stale_after_minutes", on=timezone.localdate(now))))
    max_attempts = int(get_param("jobs.max_attempts", on=timezone.localdate(now)))
    idempotent = [k for k, v in KINDS.items() if v.idempotent]
    stale = Job.objects.filter(status=Status.RUNNING).filter(Q(heartbeat_at__lt=limit) | Q(heartbeat_at=None))
    if not stale.exists() and runner() != "celery":
        return {"requeued": 0, "failed": 0}
    with transaction.atomic():
        retry = stale.filter(kind__in=idempotent, attempts__lt=max_attempts)
        requeued = list(retry.values_list("pk", flat=True))
        retry.filter(pk__in=requeued).update(status=Status.QUEUED, claimed_by="", run_after=now,
                                             error=_("The worker running this job stopped; it is run again."))
        failed = list(stale.exclude(pk__in=requeued).values_list("pk", "kind", "attempts"))
        for pk, kind, attempts in failed:
            message = _("The worker running this job stopped.")
            if Job.objects.filter(pk=pk, status=Status.RUNNING).update(status=Status.FAILED, finished_at=now,
                                                                       claimed_by="", error=message):
                audit_record(actor=None, event_code=JobEvent.JOB_FAILED, object_type="job", object_id=pk,
                             new={"kind": kind, "attempts": attempts, "error": "worker lost"})
    if runner() == "celery":
        # Sent again: the requeued jobs, and queued ones whose message was lost (a broker restart without
        # persistence, a send that failed). A job whose message does arrive twice is still claimed once.
        lost = Job.objects.filter(status=Status.QUEUED, run_after__lt=limit).values_list("pk", flat=True)
        for pk in sorted(set(requeued) | set(lost)):
            dispatch(pk)
    return {"requeued": len(requeued), "failed": len(failed)}


# ------------------------------------------------------------------------------------------- worker loop

def worker_loop(*, name: str | None = None, parent_pid: int | None = None, once: bool = False,
                poll: float = POLL_SECONDS, stop: threading.Event | None = None,
                tick: Callable[[], object] | None = None, tick_every: float = 60.0) -> int:
    """Run queued jobs from the database until stopped; returns how many it ran.

    ``parent_pid``: the embedded worker stops when ``kehu serve`` (its parent) is gone. ``once``: stop when the
    queue is empty (tests, cron). ``tick``: called every ``tick_every`` seconds between jobs (the scheduler's
    tick, so one machine needs no cron). SIGTERM and SIGINT stop it; a job in hand goes back to the queue."""
    name = name or f"worker@{_host()}:{os.getpid()}"
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        def _stop(signum, frame):  # noqa: ARG001
            stop.set()
            raise WorkerStopped()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    ran, last_sweep, last_tick = 0, 0.0, -tick_every
    try:
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                break  # kehu serve is gone: so is its worker
            try:
                if time.monotonic() - last_sweep > HEARTBEAT_SECONDS:
                    requeue_stale()
                    last_sweep = time.monotonic()
                if tick is not None and time.monotonic() - last_tick >= tick_every:
                    last_tick = time.monotonic()
                    try:
                        tick()
                    except DatabaseError:
                        raise
                    except Exception:  # a tick that fails (a job's slot function) must not stop the worker
                        logger.exception("scheduler tick in worker %s", name)
                close_old_connections()
                job = job_claim(worker=name)
            except DatabaseError:  # the database restarts or is briefly away: wait, do not die
                logger.exception("job worker %s cannot reach the database", name)
                connections.close_all()
                stop.wait(poll * 10)
                continue
            if job is None:
                if once:
                    break
                stop.wait(poll)
                continue
            job_execute(job)
            ran += 1
    except WorkerStopped:
        pass
    finally:
        connections.close_all()
    return ran


# ------------------------------------------------------------------------------------------- reading

def job_for(*, user, job_id: int) -> Job:
    """The job if ``user`` submitted it or administers users (404 otherwise: the scope rule)."""

    job = Job.objects.filter(pk=job_id).first()
    if job is None or (job.created_by_id != user.pk and not access_for(user).has(Perm.USER_MANAGE)):
        raise NotFound()
    return job


def job_submit_for(*, user, kind: str, params: dict, key: str | None = None) -> Job:
    """``POST /api/v1/jobs``: submit a kind that may be started by a user, after its own permission check."""
    entry = KINDS.get(kind)
    if entry is None:
        raise InvalidInput(_("There is no background job of kind %(k)s.") % {"k": kind}, field="kind")
    if entry.authorize is None:
        raise PermissionDenied(_("This kind of job cannot be started through the API."))
    clean = entry.authorize(user, dict(params or {}))
    scoped = f"{user.pk}:{key}" if key else None  # one user's key never finds another user's job
    return job_submit(kind=kind, params=clean, actor=user, key=scoped)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
