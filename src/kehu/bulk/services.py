"""Run an import: chunked, one transaction per chunk together with its ledger row, resumable after a crash.

A chunk's customers, its rejected rows, its ledger row (``ImportChunk``) and the job's running counts commit
in one transaction, so after a crash the ledger says exactly which rows are in the database; running the
same file again resumes the unfinished job, skips the committed chunks and re-reads the file in the same
order, so each row is applied exactly once.

Specs with a set-based path (customers) validate a chunk in pure Python, in worker processes when there
are several CPUs, while this process writes the previous chunk (``_prepared_chunks``).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.bulk.events import BulkEvent
from kehu.bulk.importers import SPECS, ImportSpec
from kehu.bulk.models import ImportChunk, ImportJob, ImportMode, ImportRowError, ImportStatus
from kehu.bulk.outcomes import Outcome, attempt, reasons
from kehu.bulk.readers import check_file, count_rows, fill_header, read_rows
from kehu.core.audit import audit_record
from kehu.core.crypto import DecryptionError, keyring
from kehu.core.errors import DomainError, InvalidInput
from kehu.core.exports import safe_row, watermark
from kehu.core.files import private_dir, private_open, private_write, seal_file, unseal_file
from kehu.core.jobs import job_submit
from kehu.core.params import get_param
from kehu.core.rules import mask
from kehu.core.selectors import access_for
from kehu.customers.permissions import CustomerPerm

log = logging.getLogger(__name__)

REASON_HEADERS = ["错误原因", "error_reason"]
# Web uploads run in a thread of the web process; tests that use the database inside a transaction turn
# this off and run the import within the request.
BACKGROUND = True


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stale(job: ImportJob) -> bool:
    return job.updated_at < timezone.now() - timedelta(seconds=int(get_param("bulk.job_stale_seconds")))


def _job_for(*, actor, target: str, path: Path, mode: str, org_code: str) -> ImportJob:
    """The unfinished job of the same file, mode and target resumes; otherwise a new job starts."""
    digest = file_hash(path)
    job = (ImportJob.objects.filter(target=target, file_hash=digest, mode=mode, org_code=org_code)
           .exclude(status=ImportStatus.DONE).order_by("-pk").first())
    if job is None:
        job = ImportJob.objects.create(target=target, file_name=path.name[:255], file_hash=digest, mode=mode,
                                       org_code=org_code, actor=actor)
    return job


def _open(spec: ImportSpec, path: Path) -> tuple[Iterator[tuple[int, list[str]]], list[str], dict[int, str]]:
    """The file's rows after the header, the header's cells and the column mapping; 400 for a bad file."""
    limits = {"max_rows": int(get_param("bulk.import_max_rows")),
              "max_columns": int(get_param("bulk.import_max_columns"))}
    check_file(path, max_uncompressed=int(get_param("bulk.xlsx_max_uncompressed_bytes")),
               max_ratio=int(get_param("bulk.xlsx_max_ratio")), **limits)
    rows = read_rows(path, **limits)
    try:
        _line, header_cells = next(rows)
    except StopIteration:
        raise InvalidInput(_("The file is empty."), code="empty_file") from None
    except DomainError:
        raise
    except (UnicodeDecodeError, ValueError, OSError, KeyError, csv.Error) as exc:
        raise InvalidInput(_("The file cannot be read: %(e)s") % {"e": exc}, code="unreadable_file") from None
    except Exception as exc:  # openpyxl's BadZipFile / InvalidFileException for a corrupt XLSX
        if exc.__class__.__name__ in ("BadZipFile", "InvalidFileException"):
            raise InvalidInput(_("The file cannot be read: %(e)s") % {"e": exc}, code="unreadable_file") from None
        raise
    mapping = spec.header_map(fill_header(header_cells))
    missing = spec.required - set(mapping.values())
    if missing:
        raise InvalidInput(_("Required columns are missing: %(c)s.") % {"c": ", ".join(sorted(missing))},
                           code="missing_columns")
    return rows, header_cells, mapping


def _spec(target: str, mode: str) -> ImportSpec:
    spec = SPECS.get(target)
    if spec is None:
        raise InvalidInput(_("Nothing can be imported as %(t)s.") % {"t": target}, field="target")
    if mode not in ImportMode.values:
        raise InvalidInput(_("Unknown import mode %(m)s.") % {"m": mode}, field="mode")
    return spec


def run_import(*, actor, target: str, path: Path, mode: str = ImportMode.UPSERT, org_code: str = "",
               chunk_rows: int | None = None, progress: Callable[[int], None] | None = None,
               chunk_pause: float = 0.0, workers: int | None = None, job: ImportJob | None = None,
               set_based: bool = True) -> ImportJob:
    """Import ``path`` (or resume its unfinished job) and return the finished job.

    ``set_based=False`` applies every row through the spec's per-row service (slow; the reference the
    set-based path is tested against)."""
    spec = _spec(target, mode)
    if not set_based and spec.set_based is not None:
        spec = dataclasses.replace(spec, set_based=None)
    path = Path(path)
    rows, header_cells, mapping = _open(spec, path)
    if job is None:
        job = _job_for(actor=actor, target=target, path=path, mode=mode, org_code=org_code)
    chunk_rows = max(1, chunk_rows or int(get_param("bulk.import_chunk_rows")))
    done = set(job.chunks.values_list("index", flat=True))
    fields = {"status": ImportStatus.RUNNING, "message": ""}
    if job.rows_expected is None:
        fields["rows_expected"] = count_rows(path)
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    context = (spec.set_based.context(actor=actor, org_code=job.org_code or None)
               if spec.set_based is not None else None)
    try:
        # A file of one chunk is not worth starting processes for.
        small = job.rows_expected is not None and job.rows_expected <= chunk_rows
        for index, raw, prepared in _prepared_chunks(spec, context, rows, mapping, chunk_rows, done,
                                                     1 if small else workers):
            if prepared is not None:
                _commit_chunk(spec, job, context, raw, prepared, index, actor)
                if chunk_pause:  # tests only: leaves time to kill the process between chunks
                    time.sleep(chunk_pause)
            if progress:
                progress(len(raw))
    except BaseException as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=str(exc)[:2000])
        raise
    return _finish(job, header_cells, actor)


# ---------------------------------------------------------------------------------------------- chunks


def _chunks(rows, mapping: dict[int, str], chunk_rows: int) -> Iterator[list[tuple[int, list[str], dict[str, str]]]]:
    while True:
        chunk = list(islice(rows, chunk_rows))
        if not chunk:
            return
        yield [(line, cells, {key: (cells[i] if i < len(cells) else "") for i, key in mapping.items()})
               for line, cells in chunk]


def worker_count(workers: int | None) -> int:
    """Processes that validate beside this one: the parameter, 0 meaning as many as CPUs (at most 4).

    Workers are forked, which is safe only from the main thread: an import running in a thread of the web
    server validates in that thread."""
    if threading.current_thread() is not threading.main_thread():
        return 1
    if workers is None:
        workers = int(get_param("bulk.import_workers"))
    if workers <= 0:
        workers = min(4, os.cpu_count() or 1)
    return max(1, workers)


def _worker_init() -> None:
    # Database connections were copied by fork and belong to the parent: keep them from being closed (or
    # garbage collected, which would end the parent's PostgreSQL session) and never use them here.
    global _INHERITED  # noqa: PLW0603
    _INHERITED = [(c, c.connection) for c in connections.all(initialized_only=True)]
    for conn, _raw in _INHERITED:
        conn.connection = None
    try:  # Linux: die with the parent (a killed import must not leave its workers behind)
        # Linux only, in a worker process: loaded where it is used
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_INHERITED: list = []


def _prepare(spec_target: str, chunk, context):
    set_based = SPECS[spec_target].set_based
    prepared = set_based.prepare(chunk, context)
    return set_based.pack(prepared) if set_based.pack is not None else prepared


def _received(spec: ImportSpec, raw, packed):
    """A worker's answer for ``raw`` as the spec's apply takes it."""
    if spec.set_based is not None and spec.set_based.unpack is not None:
        return spec.set_based.unpack(packed, raw)
    return packed


def _prepared_chunks(spec: ImportSpec, context, rows, mapping, chunk_rows: int, done: set[int],
                     workers: int | None):
    """Yield (index, raw rows, prepared rows or None if the chunk is committed already), in file order."""
    chunks = enumerate(_chunks(rows, mapping, chunk_rows))
    if spec.set_based is None:
        for index, raw in chunks:
            yield index, raw, (None if index in done else raw)
        return
    count = worker_count(workers)
    if count <= 1:
        for index, raw in chunks:
            yield index, raw, (None if index in done else spec.set_based.prepare(raw, context[0]))
        return

    pool = multiprocessing.get_context("fork").Pool(count, initializer=_worker_init)
    try:
        # At most two chunks per worker in flight: the file is never read far ahead of the writes.
        pending: deque = deque()
        for index, raw in chunks:
            future = None if index in done else pool.apply_async(_prepare, (spec.target, raw, context[0]))
            pending.append((index, raw, future))
            if len(pending) >= 2 * count:
                index0, raw0, future0 = pending.popleft()
                yield index0, raw0, (_received(spec, raw0, future0.get()) if future0 is not None else None)
        while pending:
            index0, raw0, future0 = pending.popleft()
            yield index0, raw0, (_received(spec, raw0, future0.get()) if future0 is not None else None)
    finally:
        pool.terminate()
        pool.join()


def _commit_chunk(spec: ImportSpec, job: ImportJob, context, raw, prepared, index: int, actor) -> None:
    with transaction.atomic():
        if spec.set_based is not None:
            context, problem = context
            outcome = spec.set_based.apply(actor=actor, mode=job.mode, org_code=job.org_code or None,
                                           context=context, problem=problem, prepared=prepared)
        else:
            outcome = _apply_rows(spec, job, raw, actor)
        record_rejections(job, outcome)
        counts = outcome.counts
        ImportChunk.objects.create(job=job, index=index, **counts)
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=F("rows_done") + len(raw), rows_created=F("rows_created") + counts["created"],
            rows_updated=F("rows_updated") + counts["updated"], rows_unchanged=F("rows_unchanged") + counts["unchanged"],
            rows_rejected=F("rows_rejected") + counts["rejected"], updated_at=timezone.now())


def record_rejections(job: ImportJob, outcome: Outcome) -> None:
    """Store a chunk's rejected rows, each with its reason in Chinese and English (the error file's lines)."""
    errors = []
    for rejection in outcome.rejections:
        text = reasons(rejection)
        errors.append(ImportRowError(job=job, line=rejection.line, values=rejection.cells,
                                     reason=text["zh-hans"], reason_en=text["en"]))
    ImportRowError.objects.bulk_create(errors, batch_size=500)


def _apply_rows(spec: ImportSpec, job: ImportJob, raw, actor) -> Outcome:
    """The row-by-row path, for specs without a set-based one: each row through the spec's service."""
    outcome = Outcome()
    for line, cells, record in raw:
        result, explain = attempt(lambda record=record: spec.apply(
            actor=actor, mode=job.mode, org_code=job.org_code or None, record=record, channel="import"))
        if explain is not None:
            outcome.reject(line, cells, explain)
        else:
            outcome.counts[result] += 1
    return outcome


def _finish(job: ImportJob, header_cells: list[str], actor) -> ImportJob:
    totals = job.chunks.aggregate(c=Sum("created"), u=Sum("updated"), n=Sum("unchanged"), r=Sum("rejected"),
                                  k=Count("id"))
    job.refresh_from_db()
    job.rows_created = totals["c"] or 0
    job.rows_updated = totals["u"] or 0
    job.rows_unchanged = totals["n"] or 0
    job.rows_rejected = totals["r"] or 0
    job.rows_total = job.rows_created + job.rows_updated + job.rows_unchanged + job.rows_rejected
    job.rows_done = job.rows_total
    job.rows_expected = job.rows_total
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
    if job.source_file:
        Path(job.source_file).unlink(missing_ok=True)
    return job


def error_dir() -> Path:
    return private_dir(Path(settings.KEHU_HOME) / "imports")


def _error_csv(job: ImportJob, header_cells: list[str], *, masked: bool = False, mark: str = "") -> bytes:
    """The rejected rows with their original columns plus the reason in Chinese and in English, as UTF-8 CSV
    with BOM (opens in Excel). The reason columns are ignored when the fixed file is imported again.

    ``masked`` masks the personal columns (ID number, phone, e-mail, address, a person's name) as pages do;
    cells are neutralised against formula injection; ``mark`` is the watermark row."""
    maskers = _maskers(job, header_cells) if masked else {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*header_cells, *REASON_HEADERS])
    for err in job.row_errors.order_by("line").iterator():
        cells = list(err.values) + [""] * (len(header_cells) - len(err.values))
        cells = cells[: len(header_cells)]
        person = _is_person(job, header_cells, cells)
        for index, kind in maskers.items():
            if cells[index] and (kind != "name" or person):
                cells[index] = mask(kind, cells[index])
        writer.writerow(safe_row([*cells, err.reason, err.reason_en]))
    if mark:
        writer.writerow([mark])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


PERSONAL_COLUMNS = {"id_number": "id_number", "phone": "phone", "email": "email", "address": "address",
                    "name": "name", "legal_representative": "name", "contact_name": "name"}


def _maskers(job: ImportJob, header_cells: list[str]) -> dict[int, str]:
    spec = SPECS.get(job.target)
    mapping = spec.header_map(fill_header(header_cells)) if spec is not None else {}
    return {index: PERSONAL_COLUMNS[key] for index, key in mapping.items() if key in PERSONAL_COLUMNS}


def _is_person(job: ImportJob, header_cells: list[str], cells: list[str]) -> bool:
    """Whether the row's 客户名称 is a person's name: the kind column says individual or scattered (or the
    file has no kind column: mask to be safe)."""
    spec = SPECS.get(job.target)
    mapping = spec.header_map(fill_header(header_cells)) if spec is not None else {}
    kind_at = next((i for i, key in mapping.items() if key == "kind"), None)
    if kind_at is None or kind_at >= len(cells):
        return True
    return cells[kind_at].strip().lower() not in ("企业", "金融机构", "enterprise", "financial_institution")


def write_error_file(job: ImportJob, header_cells: list[str]) -> Path:
    """Keep the error file encrypted under KEHU_HOME/imports (0600), like documents; it is read through
    ``error_file_bytes`` and served masked (``error_download``)."""
    out = error_dir() / f"import-{job.pk}-errors.csv.enc"
    private_write(out, keyring().encrypt_bytes(_error_csv(job, header_cells)))
    return out


def error_file_bytes(job: ImportJob) -> bytes:
    """The stored error file, decrypted (the operator's CLI and the tests read it)."""
    return keyring().decrypt_bytes(Path(job.error_file).read_bytes())


def error_download(*, job: ImportJob, actor, channel: str = "web") -> bytes:
    """The error file as the user may see it: personal columns masked unless ``actor`` may unmask, with the
    watermark; audited as an export."""

    masked = actor is not None and not access_for(actor).has(CustomerPerm.CUSTOMER_UNMASK)
    header = next(csv.reader(io.StringIO(error_file_bytes(job).decode("utf-8-sig"))))[: -len(REASON_HEADERS)]
    data = _error_csv(job, header, masked=masked, mark=watermark(actor))
    with transaction.atomic():
        audit_record(actor=actor, event_code=BulkEvent.EXPORT_DONE, object_type="import_errors", object_id=job.pk,
                     new={"format": "csv", "rows": job.rows_rejected, "masked": masked}, channel=channel)
    return data


# ---------------------------------------------------------------------------------------------- web jobs


def upload_dir() -> Path:
    return private_dir(error_dir() / "uploads")


def import_start(*, actor, target: str, upload, file_name: str, mode: str = ImportMode.UPSERT,
                 org_code: str = "") -> ImportJob:
    """Keep an uploaded file and import it in the background (or now, when ``BACKGROUND`` is off).

    ``upload`` is a readable binary file object. The file is checked (type, columns) before the job starts,
    so a bad file is a 400 and never a failed job. The same file with the same mode and org unit resumes
    its unfinished job."""
    spec = _spec(target, mode)
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(_("Only CSV and XLSX files can be imported."), code="unsupported_file", field="file")
    limit = int(get_param("bulk.import_max_bytes"))
    stored = upload_dir() / f"upload-{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}{suffix}"
    size = 0
    with private_open(stored, "wb") as out:
        for block in iter(lambda: upload.read(1 << 20), b""):
            size += len(block)
            if size > limit:
                out.close()
                stored.unlink(missing_ok=True)
                raise InvalidInput(_("The file is larger than %(n)d bytes.") % {"n": limit}, code="too_large",
                                   field="file")
            out.write(block)
    try:
        _open(spec, stored)
    except DomainError:
        stored.unlink(missing_ok=True)
        raise
    digest = file_hash(stored)
    job = (ImportJob.objects.filter(target=target, file_hash=digest, mode=mode, org_code=org_code, actor=actor)
           .exclude(status=ImportStatus.DONE).order_by("-pk").first())
    if job is not None and job.status == ImportStatus.RUNNING and not _stale(job):
        stored.unlink(missing_ok=True)
        return job  # already being imported: the caller follows the running job
    if job is None:
        job = ImportJob.objects.create(target=target, file_name=Path(file_name).name[:255], file_hash=digest,
                                       mode=mode, org_code=org_code, actor=actor)
    # Kept encrypted at rest like documents until the job is done (issue 11, defect 3); the plaintext copy
    # that was checked above is removed now, and the job reads a decrypted working copy it deletes itself.
    final = upload_dir() / f"job-{job.pk}{suffix}.sealed"
    try:
        seal_file(stored, final)
    finally:
        stored.unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk).update(source_file=str(final), status=ImportStatus.QUEUED)
    job.refresh_from_db()
    _launch(job)
    return job


def import_resume(*, actor, job: ImportJob) -> ImportJob:
    """Start an interrupted upload again (its committed chunks are skipped)."""
    if job.status == ImportStatus.DONE:
        return job
    if job.status == ImportStatus.RUNNING and not _stale(job):
        return job
    if not job.source_file or not Path(job.source_file).is_file():
        raise InvalidInput(_("The uploaded file of this import is gone; upload it again."), code="file_gone")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    job.refresh_from_db()
    _launch(job)
    return job


def _launch(job: ImportJob) -> None:
    """Hand the import to the background jobs (kehu.core.jobs: Celery, the worker process or a thread); with
    ``BACKGROUND`` off it runs now, inside the request. The job's id is left on ``job.background_job_id``."""

    background = job_submit(kind="bulk.import", params={"import_job": job.pk}, actor=job.actor,
                            eager=not BACKGROUND)
    job.refresh_from_db()
    job.background_job_id = background.pk


def import_job(ctx) -> dict:
    """The ``bulk.import`` job: run (or resume) the uploaded import and return its counts."""
    job_id = int(ctx.params["import_job"])
    total = ImportJob.objects.filter(pk=job_id).values_list("rows_expected", flat=True).first()
    _run_job(job_id, progress=lambda done, expected: ctx.progress(done, expected or total))
    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportStatus.FAILED:
        raise DomainError(job.message or _("The import failed."), code="import_failed")
    return {"import_job": job.pk, "rows": job.rows_total, "created": job.rows_created, "updated": job.rows_updated,
            "unchanged": job.rows_unchanged, "rejected": job.rows_rejected}


def _run_job(job_id: int, progress: Callable[[int, int | None], None] | None = None) -> Any:
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    done = [job.rows_done]

    def step(rows: int) -> None:
        done[0] += rows
        if progress:
            progress(done[0], job.rows_expected)

    sealed = Path(job.source_file)
    suffix = Path(sealed.name.removesuffix(".sealed")).suffix
    work = upload_dir() / f"work-{job.pk}-{os.getpid()}-{threading.get_ident()}{suffix}"
    try:
        unseal_file(sealed, work)
        return run_import(actor=job.actor, target=job.target, path=work, mode=job.mode,
                          org_code=job.org_code, job=job, progress=step)
    except DomainError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=str(exc.message)[:2000])
        return None
    except DecryptionError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=str(exc)[:2000])
        return None
    finally:
        work.unlink(missing_ok=True)  # the plaintext working copy never outlives the job
        job.refresh_from_db(fields=["status"])
        if job.status == ImportStatus.DONE:
            sealed.unlink(missing_ok=True)
