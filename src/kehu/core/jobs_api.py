"""REST API of background jobs: start a kind that users may start, and follow any job's progress."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from kehu.core.errors import NotFound
from kehu.core.jobs import job_for, job_submit_for

router = Router(tags=["background jobs"])
MAX_ID = 2**63 - 1


class JobIn(Schema):
    kind: str
    params: dict = {}
    key: str | None = None  # a retry with the same key returns the first job


class JobOut(Schema):
    id: int
    kind: str
    status: str
    params: dict
    progress_done: int
    progress_total: int | None
    progress_note: str
    percent: int | None
    attempts: int
    result: dict
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.post("/jobs", response={202: JobOut},
             summary="Start a background job (grading.run, surveys.dispatch, backup.create, bulk.export, exposure.freeze); poll GET /jobs/{id}")
def job_create(request, payload: JobIn):
    return Status(202, job_submit_for(user=request.auth, kind=payload.kind, params=payload.params,
                                      key=payload.key))


@router.get("/jobs/{job_id}", response=JobOut, summary="Status and progress of a job (its submitter or an admin)")
def job_get(request, job_id: int):
    if not 0 < job_id <= MAX_ID:
        raise NotFound()
    return job_for(user=request.auth, job_id=job_id)
