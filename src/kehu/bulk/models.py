"""Import jobs and their per-chunk ledger.

A chunk's rows and its ledger row are committed in one transaction, so after a crash the ledger says
exactly which rows are in the database; a re-run of the same file skips those chunks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import EncryptedJSONField


class ImportMode(models.TextChoices):
    CREATE = "create", _("Create only")
    UPDATE = "update", _("Update only")
    UPSERT = "upsert", _("Create or update")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    target = models.CharField(_("target"), max_length=50)
    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("file hash"), max_length=64, db_index=True)
    mode = models.CharField(_("mode"), max_length=10, choices=ImportMode.choices)
    org_code = models.CharField(_("org unit"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # Progress: rows of the file (an estimate taken before the import starts) and rows handled so far.
    rows_expected = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows handled"), default=0)
    error_file = models.CharField(_("error file"), max_length=500, blank=True)
    # A file uploaded through the page or the API is kept here until the job is done, so an interrupted
    # job can be resumed from it.
    source_file = models.CharField(_("uploaded file"), max_length=500, blank=True)
    message = models.TextField(_("message"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched with every committed chunk: a running job whose heartbeat stops has lost its process.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.target} {self.file_name} ({self.status})"

    @property
    def percent(self) -> int | None:
        if not self.rows_expected:
            return None
        return min(100, int(self.rows_done * 100 / self.rows_expected))


class ImportChunk(models.Model):
    """Ledger row: chunk ``index`` of ``job`` is committed, with its counts."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="bulk_chunk_once")]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.index}"


class ImportRowError(models.Model):
    """A rejected row, kept with its chunk so the error file holds each bad row exactly once."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    # The row's cells as the file had them: ID numbers, phones and addresses among them, so encrypted at rest
    # like the customer's own personal fields (issue 11, defect 4).
    values = EncryptedJSONField(default=list)
    reason = models.TextField()  # in Chinese
    reason_en = models.TextField(blank=True)

    class Meta:
        ordering = ["line"]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DOWNLOADED = "downloaded", _("Downloaded")


class ExportRequest(models.Model):
    """A customer export above ``bulk.export_approval_rows`` rows (domain spec 10.5): requested by one
    user, approved by another who holds ``export.approve`` over the requester's org unit, then downloaded
    once by the requester with the filters that were approved."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
                                  related_name="+")
    filters = models.JSONField(_("filters"), default=dict)
    fmt = models.CharField(_("format"), max_length=10)
    rows = models.PositiveIntegerField(_("rows"))
    masked = models.BooleanField(_("masked"), default=True)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    org_path = models.CharField(max_length=255, db_index=True)  # the requester's org unit, for the approver's scope
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("export request")

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"
