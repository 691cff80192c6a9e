"""REST API of backups (domain spec 11, D-2, D-5, D-8): the run log, the state of the last good backup, a
backup made on request, and the restore drills.

The system administrator runs backups; the auditor may read the run log and the drills. A backup made
here is the same as ``kehu backup create`` (consistent while kehu serves, sealed with the backup key) and
the call answers when the set is written: for a large database use the command, the schedule or the job
``backup.create``. A restore drill started here runs as a background job (``backup.restore_drill``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.core.errors import Conflict
from kehu.core.jobs import job_submit_for
from kehu.core.jobs_api import JobOut
from kehu.core.params import get_param

from . import rules, selectors
from .models import BackupRun, RestoreDrill
from .services import backup_create

router = Router(tags=["backup"])


class BackupRunOut(Schema):
    id: int
    kind: str
    state: str
    state_label: str
    engine: str
    started_at: datetime
    finished_at: datetime | None
    file: str
    size: int | None
    sha256: str
    backup_key_id: str
    tables: int | None
    rows: int | None
    documents: int | None
    data_key_ids: list[str]
    error: str
    destroyed_at: datetime | None


class RestoreDrillOut(Schema):
    id: int
    backup_id: int | None
    started_at: datetime
    finished_at: datetime | None
    ok: bool
    seconds: float | None
    rto_hours: float | None
    problems: list[str]


class BackupStatusOut(Schema):
    last_good: BackupRunOut | None
    age_hours: float | None
    max_age_hours: int
    stale: bool
    running: BackupRunOut | None
    last_drill: RestoreDrillOut | None


class BackupRunIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["manual"] = "manual"


class BackupRunQuery(Schema):
    state: Literal["", "running", "done", "failed", "destroyed"] = ""
    limit: int = Field(50, ge=1, le=500)


def run_out(run: BackupRun | None) -> dict | None:
    if run is None:
        return None
    return {"id": run.pk, "kind": run.kind, "state": run.state, "state_label": str(run.get_state_display()),
            "engine": run.engine, "started_at": run.started_at, "finished_at": run.finished_at,
            "file": Path(run.path).name if run.path else "", "size": run.size, "sha256": run.sha256,
            "backup_key_id": run.backup_key_id, "tables": run.tables, "rows": run.rows, "documents": run.documents,
            "data_key_ids": [str(k) for k in run.data_key_ids or []], "error": run.error,
            "destroyed_at": run.destroyed_at}


def drill_out(drill: RestoreDrill | None) -> dict | None:
    if drill is None:
        return None
    return {"id": drill.pk, "backup_id": drill.backup_id, "started_at": drill.started_at,
            "finished_at": drill.finished_at, "ok": drill.ok, "seconds": drill.seconds, "rto_hours": drill.rto_hours,
            "problems": [str(p) for p in drill.problems or []]}


def _stale_hours() -> int:
    return int(get_param("scheduler.stale_after_minutes")) // 60 + 1


@router.get("/backup/runs", response=list[BackupRunOut], summary="The backup run log (D-5), newest first")
def backup_run_list(request, query: Query[BackupRunQuery]):
    selectors.require_backup_reader(request.auth)
    return [run_out(r) for r in selectors.backup_runs(state=query.state)[:query.limit]]


@router.get("/backup/status", response=BackupStatusOut,
            summary="The last good backup, its age against the 26-hour limit (D-8), a running backup, the last drill")
def backup_status(request):
    selectors.require_backup_reader(request.auth)
    now = timezone.now()
    last = selectors.last_good_backup()
    hours = int(get_param("backup.max_age_hours"))
    age = (now - last.finished_at).total_seconds() / 3600 if last is not None else None
    return {"last_good": run_out(last), "age_hours": round(age, 2) if age is not None else None,
            "max_age_hours": hours,
            "stale": rules.backup_is_stale(last.finished_at if last else None, now, max_age_hours=hours),
            "running": run_out(selectors.backup_running(now, within_hours=_stale_hours())),
            "last_drill": drill_out(selectors.restore_drills().first())}


@router.post("/backup/runs", response={201: BackupRunOut},
             summary="Make a backup now (system administrator); answers when the set is written")
def backup_run_create(request, payload: BackupRunIn):
    selectors.require_backup_admin(request.auth)
    if selectors.backup_running(timezone.now(), within_hours=_stale_hours()) is not None:
        raise Conflict(_("A backup is running; wait for it to finish."), code="backup_running")
    # A failed backup is in the run log (state failed, with its error) and raises a BackupError (409).
    run = backup_create(actor=request.auth, kind=payload.kind)
    return Status(201, run_out(run))


@router.post("/backup/drills", response={202: JobOut},
             summary="Start a restore drill now (system administrator): a background job; poll GET /jobs/{id}")
def backup_drill_start(request):
    selectors.require_backup_admin(request.auth)
    return Status(202, job_submit_for(user=request.auth, kind="backup.restore_drill", params={}))


@router.get("/backup/drills", response=list[RestoreDrillOut],
            summary="Restore drills (D-2): the newest set restored into a scratch target and checked, newest first")
def backup_drill_list(request, limit: int = Query(50, ge=1, le=500)):
    selectors.require_backup_reader(request.auth)
    return [drill_out(d) for d in selectors.restore_drills()[:limit]]
