"""The Celery application of kehu (used only when ``KEHU_BROKER_URL`` is set; docs/deployment.md).

One task, ``kehu.run_job``, runs a row of ``kehu.core.jobs`` by its id: the row holds the kind, the parameters,
the status and the progress, and its atomic claim makes a message delivered twice (Redis redelivers after a
lost acknowledgement) run the work once. ``kehu worker`` starts ``celery -A kehu.celery worker`` (``kehu/celery.py`` re-exports this module's app).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")

app = Celery("kehu")


def _configure() -> None:
    # the Celery app is made before Django is set up (the worker's entry point)
    from django.conf import settings

    app.conf.update(
        broker_url=settings.KEHU_BROKER_URL,
        # No result backend: the Job row is the result.
        task_ignore_result=True,
        # Acknowledge after the run: a worker killed mid-job leaves the message to be delivered again, and the
        # claim on the row (plus the stale take-over) decides whether it runs again.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_default_queue="kehu",
        # `kehu worker --schedule` runs Celery beat inside one worker: it sends this tick every minute. The
        # tick queues the due slots (each claimed once however many ticks arrive), so a second beat or a cron
        # `kehu schedule run` beside it does no harm.
        beat_schedule={"kehu-schedule-tick": {"task": "kehu.schedule_tick", "schedule": 60.0}},
    )


@app.task(name="kehu.run_job", ignore_result=True)
def run_job(job_id: int) -> str:
    """Claim and run one job; a job already claimed elsewhere (or finished) is left alone."""
    # the Celery app is made before Django is set up (the worker's entry point)
    import socket

    # the Celery app is made before Django is set up (the worker's entry point)
    from kehu.core.jobs import job_claim, job_execute

    job = job_claim(worker=f"celery@{socket.gethostname()[:60]}:{os.getpid()}", job_id=int(job_id))
    if job is None:
        return "skipped"
    return job_execute(job).status


@app.task(name="kehu.schedule_tick", ignore_result=True)
def schedule_tick() -> list[str]:
    """One scheduler tick (``kehu schedule run``): the due slots are claimed and queued for the workers."""
    # the Celery app is made before Django is set up (the worker's entry point)
    from kehu.core.scheduler import run_due

    return [f"{o.job} {o.slot} {o.state}" for o in run_due() if o.state != "skipped"]


def _setup_django() -> None:
    # the Celery app is made before Django is set up (the worker's entry point)
    import django

    django.setup()
    _configure()


# A worker process (`celery -A kehu.celery worker`) imports this module first: Django must be set up before
# the task touches the models. A web process imports it after Django is set up; then only the broker is set.
from django.apps import apps as _apps  # noqa: E402

if _apps.ready:
    _configure()
else:
    _setup_django()
