"""Bank credit lines (最高综合授信额度, domain spec 3C) and the exposure guard's ledger.

The counters on ``CreditLine`` and ``SubLimit`` (``outstanding_amount`` and ``reserved_amount``) are only
changed by ``kehu.credit.services`` under row locks taken in primary-key order, by conditional UPDATEs,
and a CHECK constraint keeps ``outstanding + reserved <= line + temporary line`` in the database itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import DecimalDigits

MONEY: DecimalDigits = {"max_digits": 20, "decimal_places": 2}


class Rating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    BBB = "BBB", "BBB"
    BB = "BB", "BB"
    B = "B", "B"
    CCC = "CCC", "CCC"
    CC = "CC", "CC"
    C = "C", "C"


class Product(models.TextChoices):
    LOAN = "loan", _("Loans")
    TRADE_FINANCE = "trade_finance", _("Trade finance (packing loans, import/export bills)")
    DISCOUNT = "discount", _("Discounting")
    ACCEPTANCE = "acceptance", _("Bank acceptances")
    LETTER_OF_CREDIT = "letter_of_credit", _("Letters of credit")
    LETTER_OF_GUARANTEE = "letter_of_guarantee", _("Letters of guarantee")
    OTHER = "other", _("Other credit")


class LineStatus(models.TextChoices):
    IN_APPROVAL = "in_approval", _("In approval")
    ACTIVE = "active", _("Active")
    FROZEN = "frozen", _("Frozen")
    EXPIRED = "expired", _("Expired")
    RENEWAL_PENDING = "renewal_pending", _("Renewal pending")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed (superseded by its renewal)")
    EXITED = "exited", _("Exited")


class LineKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer line")
    GROUP = "group", _("Group line")


class LineType(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Maximum comprehensive line")
    SPECIFIC = "specific", _("Specific (single-product) line")


class CustomerRating(models.Model):
    """The bank's credit rating of a customer (B-2 reads the latest one)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="bank_ratings")
    rating = models.CharField(_("rating"), max_length=3, choices=Rating.choices)
    rated_on = models.DateField(_("rated on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer rating")
        verbose_name_plural = _("customer ratings")
        ordering = ["-rated_on", "-id"]

    def __str__(self) -> str:
        return f"{self.rating} ({self.rated_on})"


class CreditLine(models.Model):
    """A credit line: an internal control within delegated authority, never a commitment (B-1)."""

    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices, default=LineKind.CUSTOMER)
    line_type = models.CharField(_("line type"), max_length=16, choices=LineType.choices,
                                 default=LineType.COMPREHENSIVE)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="credit_lines")
    group = models.ForeignKey("customers.CustomerGroup", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="credit_lines")
    org_path = models.CharField(max_length=1000, db_index=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=LineStatus.choices,
                              default=LineStatus.IN_APPROVAL, db_index=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    line_amount = models.DecimalField(_("line"), **MONEY)
    requested_amount = models.DecimalField(_("requested amount"), **MONEY)
    proposed_amount = models.DecimalField(_("formula proposal"), null=True, blank=True, **MONEY)
    proposal = models.JSONField(_("formula working"), null=True, blank=True)
    temp_amount = models.DecimalField(_("temporary line"), default=0, **MONEY)
    temp_valid_to = models.DateField(_("temporary line valid to"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    # B-8: the day the daily job warned the customer manager that the line expires soon without a renewal
    expiry_warned_on = models.DateField(_("renewal warning given on"), null=True, blank=True)
    collateral_type = models.CharField(_("collateral"), max_length=32, blank=True)
    mortgage_share_pct = models.DecimalField(_("share backed by mortgage (%)"), max_digits=5, decimal_places=2,
                                             default=0)
    rating = models.CharField(_("rating at request"), max_length=3, blank=True)
    required_level = models.PositiveSmallIntegerField(_("approval level"), null=True, blank=True)
    routed_org_path = models.CharField(_("routed to"), max_length=1000, blank=True, db_index=True)
    renews = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals")
    is_committed = models.BooleanField(_("committed to the customer"), default=False, editable=False)
    # the guard's counters
    outstanding_amount = models.DecimalField(_("outstanding"), default=0, **MONEY)
    reserved_amount = models.DecimalField(_("reserved"), default=0, **MONEY)
    exposure_amount = models.DecimalField(_("net exposure"), default=0, **MONEY)
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit line")
        verbose_name_plural = _("credit lines")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outstanding_amount__gte=0) & Q(reserved_amount__gte=0) & Q(exposure_amount__gte=0)
                & Q(temp_amount__gte=0) & Q(line_amount__gte=0),
                name="credit_line_counters_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(outstanding_amount__lte=F("line_amount") + F("temp_amount") - F("reserved_amount")),
                name="credit_line_used_within_line",
            ),
            models.CheckConstraint(
                condition=(Q(kind="customer") & Q(customer__isnull=False) & Q(group__isnull=True))
                | (Q(kind="group") & Q(group__isnull=False) & Q(customer__isnull=True)),
                name="credit_line_owner_matches_kind",
            ),
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="credit_line_valid_range"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_line_type_display()} {self.line_amount} {self.currency}"

    @property
    def used_amount(self):
        return self.outstanding_amount + self.reserved_amount


class SubLimit(models.Model):
    """A product sub-limit inside a line (B-5)."""

    line = models.ForeignKey(CreditLine, on_delete=models.CASCADE, related_name="sub_limits")
    product = models.CharField(_("product"), max_length=32, choices=Product.choices)
    limit_amount = models.DecimalField(_("sub-limit"), **MONEY)
    outstanding_amount = models.DecimalField(_("outstanding"), default=0, **MONEY)
    reserved_amount = models.DecimalField(_("reserved"), default=0, **MONEY)

    class Meta:
        verbose_name = _("sub-limit")
        verbose_name_plural = _("sub-limits")
        ordering = ["line_id", "product"]
        constraints = [
            models.UniqueConstraint(fields=["line", "product"], name="sub_limit_one_per_product"),
            models.CheckConstraint(
                condition=Q(outstanding_amount__gte=0) & Q(reserved_amount__gte=0) & Q(limit_amount__gte=0),
                name="sub_limit_counters_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(outstanding_amount__lte=F("limit_amount") - F("reserved_amount")),
                name="sub_limit_used_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.limit_amount}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class LineChange(models.Model):
    """A requested increase of a line, its temporary line or a sub-limit: it waits for a second person with
    authority for the new amounts (maker-checker, B-3). Decreases apply at once and need no request."""

    line = models.ForeignKey(CreditLine, on_delete=models.PROTECT, related_name="changes")
    status = models.CharField(_("status"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    line_amount = models.DecimalField(_("line"), **MONEY)
    temp_amount = models.DecimalField(_("temporary line"), **MONEY)
    temp_valid_to = models.DateField(_("temporary line valid to"), null=True, blank=True)
    sub_limits = models.JSONField(_("sub-limits"), default=dict)
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("line change request")
        verbose_name_plural = _("line change requests")
        ordering = ["-id"]
        constraints = [
            # one open request per line: a second would be decided against stale amounts
            models.UniqueConstraint(fields=["line"], condition=Q(status="pending"), name="line_change_one_pending"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} line {self.line_id} → {self.line_amount}"


class UseStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    POSTED = "posted", _("Posted")
    SETTLED = "settled", _("Settled")


class Classification(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SPECIAL_MENTION = "special_mention", _("Special mention")
    SUBSTANDARD = "substandard", _("Substandard")
    DOUBTFUL = "doubtful", _("Doubtful")
    LOSS = "loss", _("Loss")


class CreditUse(models.Model):
    """One use of credit (a drawdown, an acceptance, an L/C, a guarantee, a discount) against a line.

    Each use still needs its own credit approval outside the line (B-1, B-3): the line check is in
    addition to it, never instead of it. ``reference`` carries that approval's number."""

    line = models.ForeignKey(CreditLine, on_delete=models.PROTECT, related_name="uses")
    group_line = models.ForeignKey(CreditLine, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="group_uses")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_uses")
    product = models.CharField(_("product"), max_length=32, choices=Product.choices)
    reference = models.CharField(_("transaction approval reference"), max_length=64, blank=True)
    original_amount = models.DecimalField(_("amount requested"), **MONEY)
    original_currency = models.CharField(_("currency requested"), max_length=3)
    fx_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8, default=1)
    amount = models.DecimalField(_("amount in line currency"), **MONEY)
    reserved_amount = models.DecimalField(_("reserved"), default=0, **MONEY)
    outstanding_amount = models.DecimalField(_("outstanding"), default=0, **MONEY)
    margin_amount = models.DecimalField(_("margin deposit"), default=0, **MONEY)
    low_risk_collateral_amount = models.DecimalField(_("eligible low-risk collateral after haircut"), default=0,
                                                     **MONEY)
    exposure_amount = models.DecimalField(_("net exposure"), default=0, **MONEY)
    classification = models.CharField(_("five-category classification"), max_length=16,
                                      choices=Classification.choices, default=Classification.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=UseStatus.choices, default=UseStatus.RESERVED,
                              db_index=True)
    reserved_until = models.DateTimeField(_("reservation expires at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The reservation request's idempotency key (unique when given) and the fingerprint of the request that
    # used it first: a retry meets the unique key and gets this use back; a different request is refused.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True, default="")
    request_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("credit use")
        verbose_name_plural = _("credit uses")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "reserved_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved_amount__gte=0) & Q(outstanding_amount__gte=0) & Q(margin_amount__gte=0)
                & Q(low_risk_collateral_amount__gte=0) & Q(exposure_amount__gte=0),
                name="credit_use_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(outstanding_amount__lte=F("amount") - F("reserved_amount")),
                name="credit_use_within_amount",
            ),
            models.UniqueConstraint(fields=["idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="credit_use_one_per_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.product} {self.amount}"


class MovementKind(models.TextChoices):
    RESERVE = "reserve", _("Reserved")
    POST = "post", _("Posted")
    RELEASE = "release", _("Released")
    REPAY = "repay", _("Repaid")
    EXPIRE = "expire", _("Reservation expired")
    LINE_CHANGE = "line_change", _("Line changed")
    TRANSFER = "transfer", _("Carried over to the renewal")
    REFUSED = "refused", _("Refused")


class LineMovement(models.Model):
    """The utilisation history of a line: every change of its counters, and every refusal with its reason."""

    line = models.ForeignKey(CreditLine, on_delete=models.CASCADE, related_name="movements")
    use = models.ForeignKey(CreditUse, null=True, blank=True, on_delete=models.SET_NULL, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    product = models.CharField(_("product"), max_length=32, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    outstanding_after = models.DecimalField(_("outstanding after"), **MONEY)
    reserved_after = models.DecimalField(_("reserved after"), **MONEY)
    reason_code = models.CharField(_("reason"), max_length=64, blank=True)
    reason = models.CharField(_("reason text"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("line movement")
        verbose_name_plural = _("line movements")
        ordering = ["-id"]
        indexes = [models.Index(fields=["line", "-id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class IdempotencyRecord(models.Model):
    """A write's idempotency key: the first request's result is stored; a retry returns it (one effect)."""

    key = models.CharField(max_length=100, unique=True)
    operation = models.CharField(max_length=32)
    fingerprint = models.CharField(max_length=64)
    result = models.JSONField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return self.key


class CapitalBase(models.Model):
    """Capital bases entered by finance (R-7 to R-9): credit's B-6 concentration cap and exposure's
    concentration alerts measure against the latest. Entered through ``kehu.exposure.services.capital_base_record``."""

    as_of = models.DateField(_("as of"), unique=True)
    capital_amount = models.DecimalField(_("capital"), **MONEY)
    net_capital_amount = models.DecimalField(_("net capital"), **MONEY)
    tier1_net_amount = models.DecimalField(_("tier 1 net capital"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "exposure_capitalbase"  # moved from exposure (issue 12): the table and its rows stay
        verbose_name = _("capital base")
        verbose_name_plural = _("capital bases")
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return str(self.as_of)
