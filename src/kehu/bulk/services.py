"""Run an import: chunked, one transaction per chunk together with its ledger row, resumable after a crash."""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.bulk.events import BulkEvent
from kehu.bulk.importers import SPECS
from kehu.bulk.models import ImportChunk, ImportJob, ImportMode, ImportRowError, ImportStatus
from kehu.bulk.readers import fill_header, read_rows
from kehu.core.audit import audit_record
from kehu.core.errors import DomainError, InvalidInput

CHUNK_ROWS = 500
REASON_HEADER = "错误原因 / reason"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _job_for(*, actor, target: str, path: Path, mode: str, org_code: str) -> ImportJob:
    """The unfinished job of the same file, mode and target resumes; otherwise a new job starts."""
    digest = file_hash(path)
    job = (ImportJob.objects.filter(target=target, file_hash=digest, mode=mode, org_code=org_code)
           .exclude(status=ImportStatus.DONE).order_by("-pk").first())
    if job is None:
        job = ImportJob.objects.create(target=target, file_name=path.name[:255], file_hash=digest, mode=mode,
                                       org_code=org_code, actor=actor)
    return job


def run_import(*, actor, target: str, path: Path, mode: str = ImportMode.UPSERT, org_code: str = "",
               chunk_rows: int = CHUNK_ROWS, progress: Callable[[int], None] | None = None,
               chunk_pause: float = 0.0) -> ImportJob:
    spec = SPECS.get(target)
    if spec is None:
        raise InvalidInput(_("Nothing can be imported as %(t)s.") % {"t": target}, field="target")
    if mode not in ImportMode.values:
        raise InvalidInput(_("Unknown import mode %(m)s.") % {"m": mode}, field="mode")
    path = Path(path)
    rows = read_rows(path)
    try:
        _line, header_cells = next(rows)
    except StopIteration:
        raise InvalidInput(_("The file is empty."), code="empty_file") from None
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        raise InvalidInput(_("The file cannot be read: %(e)s") % {"e": exc}, code="unreadable_file") from None
    header = fill_header(header_cells)
    mapping = spec.header_map(header)
    missing = spec.required - set(mapping.values())
    if missing:
        raise InvalidInput(_("Required columns are missing: %(c)s.") % {"c": ", ".join(sorted(missing))},
                           code="missing_columns")
    job = _job_for(actor=actor, target=target, path=path, mode=mode, org_code=org_code)
    done = set(job.chunks.values_list("index", flat=True))
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status"])
    index = 0
    try:
        while True:
            chunk = list(islice(rows, chunk_rows))
            if not chunk:
                break
            if index not in done:
                _apply_chunk(job, spec, mapping, chunk, index, actor)
                if chunk_pause:  # tests only: leaves time to kill the process between chunks
                    time.sleep(chunk_pause)
            if progress:
                progress(len(chunk))
            index += 1
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
        raise
    return _finish(job, header_cells, actor)


def _apply_chunk(job, spec, mapping, chunk, index, actor) -> None:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    errors = []
    with transaction.atomic():
        for line, cells in chunk:
            record = {key: (cells[i] if i < len(cells) else "") for i, key in mapping.items()}
            try:
                with transaction.atomic():
                    outcome = spec.apply(actor=actor, mode=job.mode, org_code=job.org_code or None, record=record,
                                         channel="import")
                counts[outcome] += 1
            except DomainError as exc:
                counts["rejected"] += 1
                field = getattr(exc, "field", "") or ""
                reason = f"{exc.message} [{exc.code}{': ' + field if field else ''}]"
                errors.append(ImportRowError(job=job, line=line, values=cells, reason=reason))
        ImportRowError.objects.bulk_create(errors)
        ImportChunk.objects.create(job=job, index=index, **counts)


def _finish(job: ImportJob, header_cells: list[str], actor) -> ImportJob:
    from django.db.models import Count, Sum

    totals = job.chunks.aggregate(c=Sum("created"), u=Sum("updated"), n=Sum("unchanged"), r=Sum("rejected"),
                                  k=Count("id"))
    job.rows_created = totals["c"] or 0
    job.rows_updated = totals["u"] or 0
    job.rows_unchanged = totals["n"] or 0
    job.rows_rejected = totals["r"] or 0
    job.rows_total = job.rows_created + job.rows_updated + job.rows_unchanged + job.rows_rejected
    if job.rows_rejected:
        job.error_file = str(write_error_file(job, header_cells))
    job.status = ImportStatus.DONE
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save()
        audit_record(actor=actor, event_code=BulkEvent.IMPORT_DONE, object_type="import_job", object_id=job.pk,
                     new={"target": job.target, "file": job.file_name, "sha256": job.file_hash, "mode": job.mode,
                          "total": job.rows_total, "created": job.rows_created, "updated": job.rows_updated,
                          "unchanged": job.rows_unchanged, "rejected": job.rows_rejected}, channel="import")
    return job


def error_dir() -> Path:
    path = Path(settings.KEHU_HOME) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_error_file(job: ImportJob, header_cells: list[str]) -> Path:
    """The rejected rows with their original columns plus the reason, as UTF-8 CSV with BOM (opens in Excel)."""
    out = error_dir() / f"import-{job.pk}-errors.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*header_cells, REASON_HEADER])
        for err in job.row_errors.order_by("line").iterator():
            cells = list(err.values) + [""] * (len(header_cells) - len(err.values))
            writer.writerow([*cells[: len(header_cells)], err.reason])
    return out
