"""``accounts.class3_cumulative`` on kehu's scheduler (domain spec Appendix B): nightly, the Class III
¥50,000 trigger over every person without a task (postings and the ingest raise tasks in real time), and
the count of open and overdue tasks. Suspension needs no job: it is decided at each posting and check from
the overdue task (acct.overdue_action)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kehu.accounts import selectors
from kehu.accounts.ingest import class3_sweep, ingest
from kehu.accounts.models import RemediationTask, TaskStatus
from kehu.core.params import get_param
from kehu.core.scheduler import Job, daily_slot


def _slot(now: datetime) -> str:
    return daily_slot(now, at=time.fromisoformat(str(get_param("acct.class3_sweep_time", on=now.date()))))


def _run(slot: str, now: datetime) -> dict:
    created = class3_sweep()
    tasks = RemediationTask.objects.all()
    return {"tasks_created": created, "open": tasks.filter(status=TaskStatus.OPEN).count(),
            "overdue": selectors.overdue_tasks(tasks, now.date()).count()}


JOB = Job("accounts.class3_cumulative", _("Nightly Class III cumulative check"), _slot, _run)


# ------------------------------------------------------------------ the ingest as a background job (kehu.core.jobs)

def ingest_job(ctx) -> dict:
    """Ingest a transactions file that the worker can read (``kehu accounts ingest FILE --background``).

    Idempotent: transactions are keyed by their unique id, so a run after a crash adds only what is missing."""

    stages = iter(range(1, 1000))
    run = ingest(Path(ctx.params["path"]), actor=ctx.actor, workers=int(ctx.params.get("workers") or 1),
                 progress=lambda stage: ctx.progress(next(stages), note=stage))
    return {"ingest_run": run.pk, "rows": run.rows_total, "new": run.rows_new, "duplicate": run.rows_duplicate,
            "rejected": run.rows_rejected, "breaches": run.breaches, "tasks": run.tasks_created,
            "error_file": run.error_file}
