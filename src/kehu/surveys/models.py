"""Satisfaction surveys (S2 §4(5), S3 Art.11, S9; domain spec P-1, P-2, P-4).

A template is versioned: publishing changes creates a new version, and every invitation keeps the
version it was sent with, so an answer is always read against the questions the customer saw.
An invitation goes out once per source (a visit, a ticket, a customer's quarter), through the outbox,
with a single-use link; the answer is written once and never changed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    VISIT = "visit", _("Visit")
    COMPLAINT = "complaint", _("Complaint")
    ONLINE = "online", _("Online service")
    RELATIONSHIP = "relationship", _("Quarterly relationship survey")


class SurveyTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    # [{"key": "overall", "text": "...", "type": "scale" | "text"}]; "overall" is the CSAT question
    questions = models.JSONField(_("questions"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="survey_template_version_unique")]

    def __str__(self):
        return f"{self.title} v{self.version}"


class Invitation(models.Model):
    source_key = models.CharField(max_length=80, unique=True)  # visit:12, ticket:5, relationship:7:2026Q4
    template = models.ForeignKey(SurveyTemplate, verbose_name=_("template"), on_delete=models.PROTECT,
                                 related_name="invitations")
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices, db_index=True)
    visit = models.ForeignKey("reception.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("helpdesk.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    team = models.CharField(_("team"), max_length=120, blank=True)
    customer_grade = models.CharField(_("customer grade"), max_length=1, blank=True)
    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member rated"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    link = models.OneToOneField("outbox.SignedLink", on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey("outbox.Message", null=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self):
        return self.source_key


class Answer(models.Model):
    """A customer's answer: written once by ``survey_answer``, never edited (no service changes it)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="answer")
    answered_at = models.DateTimeField(_("answered at"))
    answers = models.JSONField(_("answers"))
    overall = models.PositiveSmallIntegerField(_("overall score"), db_index=True)
    lowest = models.PositiveSmallIntegerField(_("lowest score"))
    comment = models.TextField(_("comment"), blank=True)
    follow_up = models.ForeignKey("helpdesk.Ticket", verbose_name=_("follow-up case"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self):
        return f"{self.invitation_id}: {self.overall}"
