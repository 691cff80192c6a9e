from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    # with a context: other catalogues translate a bare "Return" as 退回 (sent back), here it is 退货
    RETURN = "return", pgettext_lazy("ticket kind", "Return")
    ALLOWANCE = "allowance", _("Price allowance")
    ENQUIRY = "enquiry", _("Enquiry")
    ONLINE = "online", _("Online conversation")
    # opened by the system when a satisfaction survey scores low (domain spec P-4, kehu.surveys)
    DISSATISFACTION = "dissatisfaction", _("Dissatisfaction follow-up")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    EXTENDED_30 = "extended_30", _("Extended by 30 days")
    EXTENDED_60 = "extended_60", _("Extended by 60 days")
    RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed")
    APPROVED = "approved", _("Approved")
    COMMUNICATED = "communicated", _("Communicated")
    CLOSED = "closed", pgettext_lazy("ticket state", "Closed")  # 已结案, not the generic 已关闭
    REOPENED = "reopened", _("Reopened")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    # returns (domain spec S-11): request -> authorised -> goods received -> inspected -> disposition
    # -> credit note -> closed
    AUTHORISED = "authorised", _("Authorised")
    GOODS_RECEIVED = "goods_received", _("Goods received")
    INSPECTED = "inspected", _("Inspected")
    DISPOSITIONED = "dispositioned", _("Disposition decided")
    CREDITED = "credited", _("Credit note issued")


class Disposition(models.TextChoices):
    REWORK = "rework", _("Rework")
    REPLACE = "replace", _("Replace")
    REFUND = "refund", _("Refund")


class Channel(models.TextChoices):
    """How the customer reached us (domain spec S-1)."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    ONLINE = "online", _("Online")
    VISIT = "visit", _("Visit")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SlaUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("Working hours")
    WORKING_DAYS = "working_days", _("Working days")
    CALENDAR_DAYS = "calendar_days", _("Calendar days")


class SlaPolicy(models.Model):
    """Time limits chosen by conditions. An empty condition matches anything; of the matching active
    policies the most specific wins (``rules.select_policy``). An empty amount means "take the rule
    parameter" (``service.first_response_working_hours`` and friends), so the seeded default policies
    follow the parameters as they are changed under maker-checker."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("ticket type"), max_length=16, choices=Kind.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    customer_grade = models.CharField(_("customer grade"), max_length=1, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    first_response_amount = models.PositiveIntegerField(_("first-response target"), null=True, blank=True,
                                                        help_text=_("Empty: use the rule parameter"))
    first_response_unit = models.CharField(_("first-response unit"), max_length=16, choices=SlaUnit.choices,
                                           default=SlaUnit.WORKING_HOURS)
    resolution_amount = models.PositiveIntegerField(_("resolution target"), null=True, blank=True,
                                                    help_text=_("Empty: use the rule parameter"))
    resolution_unit = models.CharField(_("resolution unit"), max_length=16, choices=SlaUnit.choices,
                                       default=SlaUnit.WORKING_DAYS)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return self.name


class Ticket(models.Model):
    """One service ticket; type-specific data (complaint category, return lines, allowance evidence,
    online channel) lives in ``data``."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="tickets")
    org_path = models.CharField(_("org unit path"), max_length=255, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("customer manager"), null=True,
                              on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.RECEIVED)
    disposition = models.CharField(_("disposition"), max_length=8, choices=Disposition.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("what the customer said"), blank=True)
    category = models.CharField(_("category"), max_length=64, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=64, blank=True)
    product = models.CharField(pgettext_lazy("goods", "product"), max_length=120, blank=True)
    contract = models.CharField(_("contract"), max_length=120, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices,
                                default=Priority.NORMAL)
    team = models.CharField(_("team"), max_length=64, blank=True)
    sla_policy = models.ForeignKey(SlaPolicy, verbose_name=_("SLA policy"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(_("details"), default=dict, blank=True)
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member complained about"),
                                     null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     help_text=_("Staff member the complaint is about"))
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    # empty when the system opened the ticket (a dissatisfaction follow-up from a survey answer)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    financial_consumer = models.BooleanField(_("financial consumer"), default=False)
    received_at = models.DateTimeField(_("received at"))
    sla_unit = models.CharField(_("SLA unit"), max_length=16, default="working_hours")
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    regulatory_due = models.DateTimeField(_("regulatory deadline"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    warned_fraction = models.DecimalField(_("warned at fraction"), max_digits=4, decimal_places=2, default=0)
    breached = models.BooleanField(_("breached"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    # Online service (线上服务管理制度 二.2: no unilateral decisions): the agent escalates, a supervisor decides.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    articles = models.ManyToManyField("KnowledgeArticle", verbose_name=_("knowledge articles"), blank=True,
                                      related_name="tickets")
    # The retention sweeper anonymised the complaint file after its period (domain spec 10.6; kehu.privacy).
    pi_erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [models.Index(fields=["state", "resolution_due"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class TicketStatusChange(models.Model):
    """One row per change of a ticket's state, written by the service that makes the change in the same
    transaction (as ``AdmissionStatusChange``, ``OrderStatusChange`` and ``SubscriptionStatusChange`` are):
    the ticket page and the API read a ticket's history here instead of piecing it together from the audit
    log, which is scoped and paged for auditors. Opening a ticket writes the first row (from ""); tickets
    older than this table got one row (from "" to their state at the time, at their receipt) from migration
    0013. The audit row beside each change stays the tamper-evident record."""

    # The short words take a context: other catalogues translate a bare "from" / "by" otherwise (达到, 按).
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(pgettext_lazy("ticket history", "from"), max_length=24, choices=State.choices,
                                   blank=True)
    to_status = models.CharField(pgettext_lazy("ticket history", "to"), max_length=24, choices=State.choices)
    # empty when the system made the change (a dissatisfaction follow-up opened from a survey answer)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("ticket history", "by"),
                              null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(pgettext_lazy("ticket history", "reason"), blank=True)
    ts = models.DateTimeField(pgettext_lazy("ticket history", "time"))

    class Meta:
        verbose_name = _("ticket status change")
        verbose_name_plural = _("ticket status changes")
        ordering = ["id"]

    def __str__(self):
        return f"{self.ticket_id}: {self.from_status} → {self.to_status}"


class ReceivableReduction(models.Model):
    """An approved allowance or credit note: reduces what the customer owes. Read by credit modules
    through ``selectors.receivable_reductions``."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    reduction_amount = models.DecimalField(max_digits=20, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    effective_date = models.DateField()
    source = models.CharField(max_length=16)  # allowance / credit_note
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="reduction")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.source} {self.reduction_amount} {self.currency}"


class SlaBreach(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="breaches")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                related_name="+")
    clock = models.CharField(max_length=16)  # resolution / regulatory
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    def __str__(self):
        return f"{self.ticket_id} {self.clock} {self.due_at}"


class ComplaintCategory(models.Model):
    """The managed list of ticket categories (configured in the admin): a ticket's category is one of the
    active names, so the analysis never splits one category into spellings ("质量" / "质量问题")."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class SlaCheckpoint(models.Model):
    """When one clock of a ticket (first response, resolution, regulatory deadline) reaches a warning
    fraction of its time, or its due time (fraction 1). Computed on the ticket's business calendar (working
    time for working-hour and working-day clocks) whenever a due time is set or moved, so the watcher
    compares ``at`` with the present in one set-based statement."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checkpoints")
    clock = models.CharField(max_length=16)  # first_response / resolution / regulatory
    fraction = models.DecimalField(max_digits=4, decimal_places=2)
    at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["at"], condition=models.Q(done_at__isnull=True),
                                name="helpdesk_checkpoint_pending")]

    def __str__(self):
        return f"{self.ticket_id} {self.clock} {self.fraction} {self.at}"


class KnowledgeArticle(models.Model):
    """An answer in the searchable knowledge base used by online service."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def __str__(self):
        return self.title
