from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose working status differs from ``chinese_calendar`` (or a year the library does not know).

    ``org_unit`` empty = the whole organisation; a unit's override wins over its ancestors' (deepest wins).
    """

    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("day"))
    is_working = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        constraints = [models.UniqueConstraint(fields=["org_unit", "day"], name="service_override_unique")]
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'working' if self.is_working else 'off'}"


class WorkingHours(models.Model):
    """Working-hour sessions of one org unit, e.g. [["08:30","12:00"],["13:30","17:30"]]."""

    org_unit = models.OneToOneField(
        "core.OrgUnit", verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    sessions = models.JSONField(_("sessions"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.org_unit_id}: {self.sessions}"


class ReceivableReduction(models.Model):
    """An approved allowance or credit note that reduces what a customer owes; read by the trade module."""

    class Source(models.TextChoices):
        ALLOWANCE = "allowance", _("Price allowance")
        CREDIT_NOTE = "credit_note", _("Credit note (return)")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="receivable_reductions",
    )
    reduction_amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    effective_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receivable reduction")
        verbose_name_plural = _("receivable reductions")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="service_reduction_once"),
            models.CheckConstraint(
                condition=models.Q(reduction_amount__gt=0), name="service_reduction_positive"
            ),
        ]
        indexes = [models.Index(fields=["customer", "effective_on"], name="service_red_cust_day")]

    def __str__(self) -> str:
        return f"{self.customer_id} -{self.reduction_amount} {self.currency}"


class Ticket(models.Model):
    """One service case: complaint, return, allowance, enquiry or online conversation (kind-specific data in
    ``details``). The internal SLA clock and the regulatory clock are stored due times computed by the pure
    functions of ``calendar_rules``; a pause stores the working seconds left and clears the due time."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        RETURN = "return", _("Return")
        ALLOWANCE = "allowance", _("Price allowance")
        ENQUIRY = "enquiry", _("Enquiry")
        ONLINE = "online", _("Online conversation")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=24)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_tickets",
    )
    org_path = models.CharField(_("org path"), max_length=1000, db_index=True)
    channel = models.CharField(_("channel"), max_length=12)
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(_("category"), max_length=64, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=64, blank=True)
    handler = models.ForeignKey(
        "core.User",
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_employee = models.ForeignKey(
        "core.User",
        verbose_name=_("employee complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"))
    sla_unit = models.CharField(_("SLA unit"), max_length=16, default="working_days")
    sla_amount = models.PositiveIntegerField(_("SLA amount"), default=13)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_remaining_seconds = models.BigIntegerField(_("seconds left when paused"), null=True, blank=True)
    regulatory_level = models.PositiveSmallIntegerField(_("regulatory extension level"), default=0)
    regulatory_due_at = models.DateTimeField(_("regulatory due at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "core.User", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        indexes = [models.Index(fields=["kind", "status"], name="service_ticket_kind_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.status}"
