"""Visitors and their visits (S2, domain spec section 7), and the safety checks of the reception area.

The visitor's registration (name, phone, e-mail, organisation) is kept on the visit itself, to the
minimum S2 §4(2) asks for, and erased after the retention period unless the visit is linked to a
customer of the archive (V-9).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.fields import EncryptedTextField


class VisitorKind(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    OTHER = "other", pgettext_lazy("visitor kind", "Other")


class VisitState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Scheduled")
    CHECKED_IN = "checked_in", _("Checked in")
    IN_MEETING = "in_meeting", _("In meeting")
    CHECKED_OUT = "checked_out", _("Checked out")
    SURVEYED = "surveyed", _("Surveyed")
    CLOSED = "closed", pgettext_lazy("visit state", "Closed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class Visit(models.Model):
    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    visitor_kind = models.CharField(_("visitor kind"), max_length=16, choices=VisitorKind.choices)
    visitor_name = EncryptedTextField(_("visitor name"), blank=True)
    visitor_phone = EncryptedTextField(_("visitor phone"), blank=True)
    visitor_email = EncryptedTextField(_("visitor e-mail"), blank=True)
    visitor_organisation = models.CharField(_("visitor's organisation"), max_length=200, blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose of the visit"), max_length=300)
    scheduled_start = models.DateTimeField(_("scheduled start"), db_index=True)
    expected_minutes = models.PositiveIntegerField(_("expected length of stay (minutes)"))
    host = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("host"), on_delete=models.PROTECT,
                             related_name="+")
    reception_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reception staff"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=VisitState.choices, db_index=True)
    requested_by_visitor = models.BooleanField(_("requested by the visitor"), default=False)
    outside_hours = models.BooleanField(_("outside reception hours"), default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    vip = models.BooleanField(_("VIP"), default=False)
    vip_checklist = models.JSONField(_("VIP checklist"), default=dict, blank=True)
    confidential = models.BooleanField(_("confidential negotiation"), default=False)
    meeting_notes = models.TextField(_("meeting notes"), blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    meeting_started_at = models.DateTimeField(_("meeting started at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True, db_index=True)
    purged_at = models.DateTimeField(_("registration deleted at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("booked by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self):
        return f"{self.get_visitor_kind_display()} #{self.pk}"


class VisitEvent(models.Model):
    """The visit's history: every state change with who and when."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.visit_id} {self.from_state}->{self.to_state}"


class SafetyCheckItem(models.Model):
    """A recurring check of the reception area (S2 §6: fire equipment, escape routes)."""

    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    name = models.CharField(_("check"), max_length=120)
    interval_months = models.PositiveIntegerField(_("interval (months)"))
    next_due_on = models.DateField(_("next due on"), db_index=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    alerted_for = models.DateField(_("overdue alert sent for"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("safety check")
        verbose_name_plural = _("safety checks")

    def __str__(self):
        return self.name


class SafetyCheckRecord(models.Model):
    item = models.ForeignKey(SafetyCheckItem, on_delete=models.PROTECT, related_name="records")
    done_on = models.DateField(_("done on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT,
                           related_name="+")
    passed = models.BooleanField(_("passed"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-done_on", "-pk"]

    def __str__(self):
        return f"{self.item_id} {self.done_on}"
