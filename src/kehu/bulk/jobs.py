"""The customer export as a background job (issue 17: long work runs as jobs on the job runner).

A large export is written by a worker (Celery with ``KEHU_BROKER_URL``, otherwise the worker ``kehu serve``
starts), not in the web request: the page or ``POST /api/v1/jobs`` (kind ``bulk.export``) submits it, the
progress is the job's, and the finished file is kept sealed (AES-GCM under the data key, like uploads) in
``KEHU_HOME/exports`` until its requester downloads it, once, within ``bulk.export_keep_hours``. Everything an
export in the request checks is checked at submit, so a refused export never becomes a job: the permission,
the approval above ``bulk.export_approval_rows`` (domain spec 10.5; the approved request is taken by the job,
once) and the second factor for personal data in clear above ``sec.mfa_export_threshold`` (an API token never
has it). The rows are the ones of the export in the request: the caller's data scope, masked without the unmask
permission, the watermark, one audit row when the file is made (7002) and one when it is downloaded (7006).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.bulk import approvals, exports
from kehu.bulk.events import BulkEvent
from kehu.bulk.models import ExportRequest, ExportStatus
from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kehu.core.exports import watermark
from kehu.core.files import private_dir, seal_file, unseal_file
from kehu.core.jobs import JobContext, job_for, job_submit
from kehu.core.models import Job
from kehu.core.params import get_param
from kehu.core.scheduler import Job as ScheduledJob
from kehu.core.scheduler import every_slot
from kehu.core.selectors import access_for
from kehu.core.twofactor import require_for_pii
from kehu.customers.permissions import CustomerPerm

KIND = "bulk.export"
FORMATS = ("csv", "xlsx")


def export_dir() -> Path:
    return private_dir(Path(settings.KEHU_HOME) / "exports")


def sealed_path(job: Job) -> Path | None:
    """The sealed file of a finished export job (its name carries a random part: several test databases or
    installations may share a KEHU_HOME and number their jobs alike)."""
    name = (job.result or {}).get("file")
    if not isinstance(name, str) or "/" in name or not name.endswith(".sealed"):
        return None
    return export_dir() / name


def _clean(params: dict[str, Any]) -> tuple[dict[str, str], str, int | None]:
    fmt = params.get("format", "xlsx")
    if fmt not in FORMATS:
        raise InvalidInput(_("format must be csv or xlsx."), field="format")
    raw = params.get("filters") or {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise InvalidInput(_("filters must be an object of texts."), field="filters")
    if any(k not in exports.FILTERS for k in raw) or any(len(v) > 100 for v in raw.values()):
        raise InvalidInput(_("filters may hold only %(names)s, each at most 100 characters.")
                           % {"names": ", ".join(exports.FILTERS)}, field="filters")
    request_id = params.get("request")
    if request_id is not None and (not isinstance(request_id, int) or isinstance(request_id, bool)
                                   or not 0 < request_id < 2**63):
        raise InvalidInput(_("request must be the number of an approved export request."), field="request")
    return exports._filters(raw), fmt, request_id


def export_params(*, actor, params: dict[str, Any], verified: bool) -> dict[str, Any]:
    """Check an export before it is queued and return the job's parameters (raises what the request path
    raises: 403, 404 for another person's request, 409 ``export_needs_approval`` / ``not_approved``)."""
    filters, fmt, request_id = _clean(params)
    if not access_for(actor).has(CustomerPerm.CUSTOMER_VIEW):
        raise PermissionDenied()
    if request_id is not None:
        request = ExportRequest.objects.filter(pk=request_id, requester=actor).first()
        if request is None:
            raise NotFound()
        if request.status != ExportStatus.APPROVED:
            raise Conflict(_("This export is not approved."), code="not_approved")
        filters, fmt, rows = dict(request.filters), request.fmt, request.rows
    else:
        rows = approvals.check_export(actor=actor, filters=filters)
    if exports._may_unmask(actor):
        require_for_pii(user=actor, verified=verified, rows=rows, threshold_param="sec.mfa_export_threshold")
    return {"filters": filters, "format": fmt, "request": request_id, "rows": rows}


def authorize_export(user, params: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/v1/jobs`` with kind ``bulk.export``: an API token never has the second factor."""
    return export_params(actor=user, params=params, verified=False)


def export_submit(*, actor, params: dict[str, Any], verified: bool) -> Job:
    """Queue an export for ``actor`` (the web page; the API goes through ``authorize_export``)."""
    return job_submit(kind=KIND, params=export_params(actor=actor, params=params, verified=verified), actor=actor)


def my_exports(*, user, limit: int = 20) -> list[dict[str, Any]]:
    """The user's latest exports made in the background, with whether the file can still be downloaded."""
    rows = []
    for job in Job.objects.filter(kind=KIND, created_by=user).order_by("-id")[:limit]:
        sealed = sealed_path(job)
        rows.append({"job": job, "ready": job.status == Job.Status.DONE and sealed is not None and sealed.exists()})
    return rows


def _counted(rows: Iterator[list[Any]], ctx: JobContext, total: int) -> Iterator[list[Any]]:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % 1000 == 0:
            ctx.progress(done, total)


def export_job(ctx: JobContext) -> dict[str, Any]:
    """Write the export, seal it and keep it for its requester; the plain file never outlives the job."""
    actor = ctx.actor
    filters, fmt = dict(ctx.params.get("filters") or {}), ctx.params.get("format", "xlsx")
    request_id = ctx.params.get("request")
    total = int(ctx.params.get("rows") or 0)
    if request_id is not None:
        with transaction.atomic():
            approved = approvals.export_take(actor=actor, request_id=int(request_id))
        filters, fmt = dict(approved.filters), approved.fmt
    else:
        approvals.check_export(actor=actor, filters=filters)  # the rows may have grown since the submit
    handle, name = tempfile.mkstemp(prefix=f"export-{ctx.job_id}-", suffix=f".{fmt}", dir=export_dir())
    os.close(handle)
    plain = Path(name)
    try:
        count = exports.write_table(plain, exports.export_header(),
                                    _counted(exports.customer_rows(actor=actor, filters=filters), ctx, total),
                                    fmt, mark=watermark(actor))
        name = f"export-{ctx.job_id}-{secrets.token_hex(8)}.sealed"
        seal_file(plain, export_dir() / name)
    finally:
        plain.unlink(missing_ok=True)
    exports.export_audit(actor=actor, filters=filters, fmt=fmt, rows=count, channel="job")
    ctx.progress(count, count)
    return {"rows": count, "format": fmt, "file": name}


def export_file(*, actor, job_id: int) -> tuple[Path, str]:
    """Unseal the finished export of job ``job_id`` for its requester, once: returns a plain temporary file
    (the caller deletes it after sending) and the download name. 404 for anybody else's job (an
    administrator included: the file holds customers' data), 409 while it runs, when it failed, after the
    one download or after ``bulk.export_keep_hours``."""
    job = job_for(user=actor, job_id=job_id)
    if job.kind != KIND or job.created_by_id != actor.pk:
        raise NotFound()
    if job.status != Job.Status.DONE:
        raise Conflict(_("The export is not ready: it is %(s)s.") % {"s": job.get_status_display()},
                       code="export_not_ready")
    sealed = sealed_path(job)
    keep = timedelta(hours=int(get_param("bulk.export_keep_hours")))
    if sealed is not None and job.finished_at and timezone.now() - job.finished_at > keep:
        sealed.unlink(missing_ok=True)
    gone = Conflict(_("This export was downloaded already or has expired; export again."), code="export_gone")
    if sealed is None:
        raise gone
    # Once, even for two downloads at the same moment: renaming is atomic, so exactly one of them takes the
    # file; the other finds it gone. (An exists() check before reading would let both through.)
    taken = sealed.with_name(f"{sealed.name}.taken-{secrets.token_hex(4)}")
    try:
        sealed.rename(taken)
    except FileNotFoundError:
        raise gone from None
    fmt = job.result.get("format", "xlsx")
    handle, name = tempfile.mkstemp(prefix=f"download-{job.pk}-", suffix=f".{fmt}", dir=export_dir())
    os.close(handle)
    plain = Path(name)
    try:
        unseal_file(taken, plain)
    except Exception:
        plain.unlink(missing_ok=True)
        raise
    finally:
        taken.unlink(missing_ok=True)
    with transaction.atomic():
        audit_record(actor=actor, event_code=BulkEvent.EXPORT_DOWNLOADED, object_type="customer_export",
                     object_id=job.pk, new={"rows": job.result.get("rows"), "format": fmt})
    stamp = timezone.localtime(job.finished_at).strftime("%Y%m%d-%H%M")
    return plain, f"customers-{stamp}.{fmt}"


def exports_purge(*, now: datetime | None = None) -> int:
    """Delete sealed exports nobody downloaded within ``bulk.export_keep_hours`` (and leftovers of a crash)."""
    now = now or timezone.now()
    keep = timedelta(hours=int(get_param("bulk.export_keep_hours")))
    removed = 0
    for path in export_dir().glob("*"):
        if now.timestamp() - path.stat().st_mtime > keep.total_seconds():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _purge_slot(now: datetime) -> str:
    return every_slot(now, minutes=60)


def _purge_run(slot: str, now: datetime) -> dict[str, int]:
    return {"removed": exports_purge(now=now)}


PURGE = ScheduledJob("bulk.exports_purge", gettext_lazy("Purge of export files not downloaded"), _purge_slot,
                     _purge_run)
