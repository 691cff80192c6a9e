"""Monthly customer grading (客户等级评定, domain spec 3A): scorecard policies, runs, results, overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Customer


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    RETIRED = "retired", _("Retired")


class ScorecardPolicy(models.Model):
    """A versioned scorecard (G-3, G-6, G-7, G-8). ``config`` is validated by ``rules.validate_policy``;
    it is frozen once approved so every result can be explained by the version that produced it."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    config = models.JSONField(_("configuration"))
    status = models.CharField(_("status"), max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard policy")
        verbose_name_plural = _("scorecard policies")
        ordering = ["-version"]
        constraints = [
            # maker-checker: the approver is never the maker
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                                   name="grading_policy_checker_not_maker"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class GradingRun(models.Model):
    """One run per period (the month graded, scored from the facts of the month before). ``next_customer_id``
    is the checkpoint: chunks below it are committed, so a killed run resumes there."""

    period = models.DateField(_("period"), unique=True)
    policy = models.ForeignKey(ScorecardPolicy, verbose_name=_("policy"), on_delete=models.PROTECT,
                               related_name="runs")
    state = models.CharField(_("state"), max_length=16, choices=RunState.choices, default=RunState.RUNNING)
    next_customer_id = models.BigIntegerField(default=0)
    last_customer_id = models.BigIntegerField(default=0)
    customers_graded = models.PositiveIntegerField(_("customers graded"), default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reopen reason"), blank=True)

    class Meta:
        verbose_name = _("grading run")
        verbose_name_plural = _("grading runs")
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period.strftime("%Y-%m")


class GradeResult(models.Model):
    """One customer's grade for one period with everything needed to explain it (G-2, G-4, G-8, G-10).

    Written only by the set-based run (INSERT ... SELECT); every column is a pure function of the facts,
    the policy and last month's results, so a re-run reproduces the row exactly."""

    period = models.DateField(_("period"))
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="grade_results")
    org_path = models.CharField(max_length=1000, db_index=True)
    policy_version = models.PositiveIntegerField(_("policy version"))
    # raw values of the facts of month M-1
    raw_volume = models.DecimalField(_("purchase volume"), max_digits=20, decimal_places=2)
    raw_fulfilment = models.DecimalField(_("fulfilment rate"), max_digits=9, decimal_places=4, null=True)
    raw_on_time = models.DecimalField(_("paid on time"), max_digits=9, decimal_places=4, null=True)
    raw_overdue_days = models.IntegerField(_("longest overdue days"))
    raw_licence_ok = models.BooleanField(_("licences valid"))
    raw_sued = models.BooleanField(_("sued for unpaid goods"))
    raw_archive_complete = models.BooleanField(_("archive complete"))
    raw_disqualified = models.BooleanField(_("disqualifying event"))
    # the customer's latest yearly statement up to M-1's year (S9 Ch.5 §1: financial status); none: NULL
    raw_current_ratio = models.DecimalField(_("current ratio"), max_digits=12, decimal_places=4, null=True)
    raw_debt_ratio = models.DecimalField(_("debt ratio"), max_digits=12, decimal_places=4, null=True)
    raw_overdue_others = models.DecimalField(_("overdue to other creditors"), max_digits=20, decimal_places=2,
                                             null=True)
    # weights and scores per indicator; G-4: a score never exceeds its weight (checked below)
    weight_volume = models.DecimalField(max_digits=5, decimal_places=2)
    weight_fulfilment = models.DecimalField(max_digits=5, decimal_places=2)
    weight_payment = models.DecimalField(max_digits=5, decimal_places=2)
    weight_operating = models.DecimalField(max_digits=5, decimal_places=2)
    weight_financial = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    score_volume = models.DecimalField(_("volume score"), max_digits=5, decimal_places=2)
    score_fulfilment = models.DecimalField(_("fulfilment score"), max_digits=5, decimal_places=2)
    score_payment = models.DecimalField(_("payment score"), max_digits=5, decimal_places=2)
    score_operating = models.DecimalField(_("operating score"), max_digits=5, decimal_places=2)
    score_financial = models.DecimalField(_("financial score"), max_digits=5, decimal_places=2, default=0)
    total_score = models.DecimalField(_("total score"), max_digits=6, decimal_places=2)
    computed_grade = models.CharField(_("grade by score"), max_length=1)
    knockout = models.CharField(_("knock-out applied"), max_length=64, blank=True)
    cap = models.CharField(_("cap"), max_length=1, blank=True)
    grade = models.CharField(_("grade"), max_length=1)
    previous_grade = models.CharField(_("last month"), max_length=1, blank=True)
    change = models.IntegerField(_("change"), null=True)
    overridden = models.BooleanField(_("overridden"), default=False)

    class Meta:
        verbose_name = _("grade result")
        verbose_name_plural = _("grade results")
        ordering = ["period", "customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "customer"], name="grading_result_one_per_period"),
            models.CheckConstraint(condition=Q(score_volume__gte=0, score_volume__lte=F("weight_volume")),
                                   name="grading_volume_within_weight"),
            models.CheckConstraint(condition=Q(score_fulfilment__gte=0,
                                               score_fulfilment__lte=F("weight_fulfilment")),
                                   name="grading_fulfilment_within_weight"),
            models.CheckConstraint(condition=Q(score_payment__gte=0, score_payment__lte=F("weight_payment")),
                                   name="grading_payment_within_weight"),
            models.CheckConstraint(condition=Q(score_operating__gte=0,
                                               score_operating__lte=F("weight_operating")),
                                   name="grading_operating_within_weight"),
            models.CheckConstraint(condition=Q(score_financial__gte=0,
                                               score_financial__lte=F("weight_financial")),
                                   name="grading_financial_within_weight"),
            models.CheckConstraint(condition=Q(grade__in=["A", "B", "C", "D", "E"]), name="grading_grade_letter"),
        ]
        indexes = [models.Index(fields=["period", "grade"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period:%Y-%m} {self.grade}"


class EventKind(models.TextChoices):
    SUED = "sued_for_unpaid_goods", _("Sued by another supplier for unpaid goods")
    DISQUALIFYING = "disqualifying", _("Disqualifying event")


class CustomerEvent(models.Model):
    """Litigation and disqualifying events the archive does not hold (G-8 knock-outs, G-9 exit)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="grading_events")
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [models.Index(fields=["customer", "kind", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.occurred_on}"


class FinancialStatement(models.Model):
    """A customer's yearly financial figures as the customer provided them (S9 Ch.5 §1: graded on the
    financial status too): current ratio, debt ratio (liabilities / assets), amount overdue to other creditors."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="financial_statements")
    year = models.PositiveIntegerField(_("year"))
    current_ratio = models.DecimalField(_("current ratio"), max_digits=12, decimal_places=4)
    debt_ratio = models.DecimalField(_("debt ratio"), max_digits=12, decimal_places=4)
    overdue_to_others = models.DecimalField(_("overdue to other creditors"), max_digits=20, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        ordering = ["customer_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["customer", "year"], name="grading_statement_one_per_year")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.year}"


class OverrideStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class GradeOverride(models.Model):
    """A manual change of one grade by at most one step, with a reason and a second approver (G-8)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="grade_overrides")
    period = models.DateField(_("period"))
    org_path = models.CharField(max_length=1000, db_index=True)
    from_grade = models.CharField(_("from grade"), max_length=1)
    to_grade = models.CharField(_("to grade"), max_length=1)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=OverrideStatus.choices,
                              default=OverrideStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("grade override")
        verbose_name_plural = _("grade overrides")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                                   name="grading_override_second_person"),
            models.UniqueConstraint(fields=["customer", "period"], condition=Q(status__in=["pending", "approved"]),
                                    name="grading_override_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period:%Y-%m} {self.from_grade}→{self.to_grade}"


class ExitReview(models.Model):
    """G-9: an E customer's exit review; opening it starts termination through the admission guard."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="exit_reviews")
    period = models.DateField(_("period"))
    trigger = models.CharField(_("trigger"), max_length=32)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exit review")
        verbose_name_plural = _("exit reviews")
        constraints = [models.UniqueConstraint(fields=["customer", "period"], name="grading_exit_once")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period:%Y-%m} {self.trigger}"
