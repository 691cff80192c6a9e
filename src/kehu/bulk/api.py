"""REST API of imports and exports: upload a file, read the job's status, download its rejected rows; download
a customer export made in the background (submitted through ``POST /api/v1/jobs``, kind ``bulk.export``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.http import FileResponse, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from kehu.bulk import jobs
from kehu.bulk.models import ImportJob, ImportMode
from kehu.bulk.services import error_download, import_start
from kehu.core.errors import InvalidInput, NotFound, PermissionDenied
from kehu.core.files import XLSX, RemovedOnClose
from kehu.core.models import Job
from kehu.core.selectors import access_for
from kehu.customers.permissions import CustomerPerm

router = Router(tags=["customers: import and export"])


class ImportJobOut(Schema):
    id: int
    target: str
    file_name: str
    mode: str
    status: str
    rows_expected: int | None
    rows_done: int
    message: str
    rows_total: int
    rows_created: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    has_error_file: bool
    created_at: datetime
    finished_at: datetime | None
    # The background job running it: GET /api/v1/jobs/{job_id} shows its state, progress and attempts.
    job_id: int | None

    @staticmethod
    def resolve_has_error_file(obj) -> bool:
        return bool(obj.error_file)

    @staticmethod
    def resolve_job_id(obj) -> int | None:
        known = getattr(obj, "background_job_id", None)
        if known is not None:
            return known

        return (Job.objects.filter(kind="bulk.import", params__import_job=obj.pk).order_by("-pk")
                .values_list("pk", flat=True).first())


def _job(request, job_id: int) -> ImportJob:
    # A user sees only their own imports; anything else is 404 (scope rule).
    job = ImportJob.objects.filter(pk=job_id, actor=request.auth).first()
    if job is None:
        raise NotFound()
    return job


@router.post("/imports", response={201: ImportJobOut},
             summary="Import customers (multipart: file, mode create|update|upsert, org_code); poll GET /imports/{id}")
def import_create(request, file: File[UploadedFile], mode: Form[str] = "upsert", org_code: Form[str] = ""):
    """Start the import as a job and answer at once (status queued or running); the same file with the same
    mode and org unit resumes its unfinished job instead of starting another."""
    if not access_for(request.auth).has(CustomerPerm.CUSTOMER_CREATE):
        raise PermissionDenied()
    if mode not in ImportMode.values:
        raise InvalidInput(field="mode")
    job = import_start(actor=request.auth, target="customers", upload=file, file_name=file.name or "",
                       mode=mode, org_code=org_code)
    return Status(201, job)


@router.get("/imports/{job_id}", response=ImportJobOut, summary="Status and counts of an import")
def import_get(request, job_id: int):
    return _job(request, job_id)


@router.get("/imports/{job_id}/errors", summary="The rejected rows with their reasons (CSV)")
def import_errors(request, job_id: int):
    job = _job(request, job_id)
    if not job.error_file or not Path(job.error_file).is_file():
        raise NotFound()
    data = error_download(job=job, actor=request.auth, channel="api")
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@router.get("/customers/exports/{job_id}/file",
            summary="Download a customer export made in the background (POST /api/v1/jobs, kind bulk.export): "
                    "its requester only, once, within bulk.export_keep_hours")
def export_download(request, job_id: int):
    if not 0 < job_id < 2**63:
        raise NotFound()
    path, name = jobs.export_file(actor=request.auth, job_id=job_id)
    content_type = XLSX if name.endswith(".xlsx") else "text/csv; charset=utf-8"
    return FileResponse(RemovedOnClose(path), as_attachment=True, filename=name, content_type=content_type)
