"""Trade credit's tables (domain spec 3B): the customer's credit account, every limit that was in force, and
the increases waiting for approval.

The tables were made by the trade app before trade credit became an app of its own (issue 12, item 3); they
keep their names (``db_table``), so no row moved (migrations trade 0004 and tradecredit 0001)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.trade.models import MONEY


class CreditAccount(models.Model):
    """The customer's current trade-credit limit; the row an order check locks (one per customer)."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="credit_account")
    limit_amount = models.DecimalField(_("credit limit"), default=0, **MONEY)
    term_days = models.PositiveIntegerField(_("credit term (days)"), default=0)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    limit_valid_from = models.DateField(_("limit valid from"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "trade_creditaccount"  # made by the trade app; the name stays (no row moved)
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [models.CheckConstraint(condition=Q(limit_amount__gte=0), name="trade_account_limit_non_negative")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.limit_amount}"


class CreditLimit(models.Model):
    """Every limit that was in force (L-1): amount, term, the figures it came from and who approved it."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="limits")
    amount = models.DecimalField(_("credit limit"), **MONEY)
    term_days = models.PositiveIntegerField(_("credit term (days)"))
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    period = models.DateField(_("grading period"), null=True, blank=True)
    basis = models.JSONField(_("basis"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=32)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "trade_creditlimit"  # made by the trade app; the name stays (no row moved)
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=Q(valid_to__isnull=True),
                                    name="trade_limit_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount} from {self.valid_from}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class LimitChange(models.Model):
    """A recalculated limit above the current one: it waits for approval (L-6)."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="changes")
    status = models.CharField(_("status"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    current_amount = models.DecimalField(_("current limit"), **MONEY)
    proposed_amount = models.DecimalField(_("proposed limit"), **MONEY)
    term_days = models.PositiveIntegerField(_("credit term (days)"))
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    period = models.DateField(_("grading period"), null=True, blank=True)
    basis = models.JSONField(_("basis"), default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        db_table = "trade_limitchange"  # made by the trade app; the name stays (no row moved)
        verbose_name = _("credit limit change")
        verbose_name_plural = _("credit limit changes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=Q(status="pending"),
                                    name="trade_limit_change_one_pending"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.current_amount} → {self.proposed_amount}"
