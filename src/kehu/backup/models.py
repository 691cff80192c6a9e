"""Backup sets, their run log and the restore drills (domain spec 11, D-2, D-3, D-5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupRun(models.Model):
    """One backup run: the run log of D-5 and, when it succeeded, the backup set of D-3."""

    class Kind(models.TextChoices):
        FULL = "full", _("Weekly full")
        DAILY = "daily", _("Daily")
        MANUAL = "manual", _("Manual")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        DESTROYED = "destroyed", _("Destroyed by retention")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RUNNING)
    engine = models.CharField(_("database engine"), max_length=16)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    path = models.CharField(_("file"), max_length=1000, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    backup_key_id = models.CharField(_("backup key"), max_length=16, blank=True)
    tables = models.PositiveIntegerField(_("tables"), null=True, blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    documents = models.PositiveIntegerField(_("documents"), null=True, blank=True)
    audit_last_id = models.BigIntegerField(null=True, blank=True)
    audit_last_hash = models.CharField(max_length=64, blank=True)
    data_key_ids = models.JSONField(default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["state", "-finished_at"], name="backup_run_state_finished")]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.state}"


class RestoreDrill(models.Model):
    """A recovery rehearsal (211号 Art.95, D-2): the newest set restored into a scratch target and checked."""

    backup = models.ForeignKey(BackupRun, null=True, on_delete=models.SET_NULL, related_name="drills")
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("passed"), default=False)
    seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    rto_hours = models.FloatField(_("recovery time objective (h)"), null=True, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        verbose_name = _("restore drill")
        verbose_name_plural = _("restore drills")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"drill {self.started_at:%Y-%m-%d} {'ok' if self.ok else 'failed'}"
