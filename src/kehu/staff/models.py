"""The monthly staff scorecard (domain spec P-3, P-5): manager's marks for what kehu cannot see,
computed quality from the helpdesk and the surveys, an explanation per indicator."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SelfAssessment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT,
                             related_name="+")
    period = models.DateField(_("period"))
    attitude = models.PositiveSmallIntegerField(_("service attitude"))
    process = models.PositiveSmallIntegerField(_("process compliance"))
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="staff_self_assessment_once")]

    def __str__(self):
        return f"{self.user_id} {self.period:%Y-%m}"


class ManagerMark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT,
                             related_name="+")
    period = models.DateField(_("period"))
    attitude = models.PositiveSmallIntegerField(_("service attitude"))
    process = models.PositiveSmallIntegerField(_("process compliance"))
    security_violations = models.PositiveSmallIntegerField(_("information-security violations"), default=0)
    training_done = models.BooleanField(_("security training done"), default=True)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.PROTECT,
                           related_name="+")
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("manager's mark")
        verbose_name_plural = _("manager's marks")
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="staff_manager_mark_once")]

    def __str__(self):
        return f"{self.user_id} {self.period:%Y-%m}"


class Scorecard(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT,
                             related_name="+")
    period = models.DateField(_("period"), db_index=True)
    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    attitude = models.DecimalField(_("service attitude"), max_digits=5, decimal_places=2, null=True)
    process = models.DecimalField(_("process compliance"), max_digits=5, decimal_places=2, null=True)
    quality = models.DecimalField(_("service quality"), max_digits=5, decimal_places=2, null=True)
    infosec = models.DecimalField(_("information security"), max_digits=5, decimal_places=2, null=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2, null=True, db_index=True)
    complete = models.BooleanField(_("complete"), default=False)
    detail = models.JSONField(_("explanation"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="staff_scorecard_once")]

    def __str__(self):
        return f"{self.user_id} {self.period:%Y-%m} {self.total}"


class Interview(models.Model):
    """An improvement interview (P-3): opened when a total falls below the threshold."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT,
                             related_name="+")
    period = models.DateField(_("period"))
    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2)
    due_on = models.DateField(_("due on"))
    notes = models.TextField(_("interview notes"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("held by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)

    class Meta:
        verbose_name = _("improvement interview")
        verbose_name_plural = _("improvement interviews")
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="staff_interview_once")]

    def __str__(self):
        return f"{self.user_id} {self.period:%Y-%m}"


class MeasurementNotice(models.Model):
    """P-6: what will be measured in a period, published before it starts (parameters in force then)."""

    period = models.DateField(_("period"), unique=True)
    content = models.JSONField(_("content"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("measurement notice")
        verbose_name_plural = _("measurement notices")

    def __str__(self):
        return f"{self.period:%Y-%m}"
