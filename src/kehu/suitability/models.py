"""Asset-management suitability (domain spec section 9, S7 中证协发[2012]206号 and the 2017/2018 rules).

Every record here is a suitability record kept at least 20 years (M-13): rows point at the customer with
``PROTECT`` so the archive cannot drop them, and ``services.record_purge`` deletes only what is past its
``retain_until``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InvestorClass(models.TextChoices):
    C1 = "C1", _("C1 (conservative)")
    C2 = "C2", _("C2 (cautious)")
    C3 = "C3", _("C3 (balanced)")
    C4 = "C4", _("C4 (growth)")
    C5 = "C5", _("C5 (aggressive)")


class RiskLevel(models.TextChoices):
    R1 = "R1", _("R1 (low)")
    R2 = "R2", _("R2 (medium-low)")
    R3 = "R3", _("R3 (medium)")
    R4 = "R4", _("R4 (medium-high)")
    R5 = "R5", _("R5 (high)")


class InvestorKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ENTITY = "entity", _("Legal entity")


class InvestorProfile(models.Model):
    """What the firm knows of its client (M-4): identity comes from the customer archive."""

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                    related_name="investor_profile")
    org_path = models.CharField(max_length=1000, db_index=True, editable=False)
    investor_kind = models.CharField(_("investor kind"), max_length=8, choices=InvestorKind.choices)
    financial_assets_amount = models.DecimalField(_("financial assets (individual or household)"), max_digits=20,
                                                  decimal_places=2, default=0)
    household_financial_net_assets_amount = models.DecimalField(_("household financial net assets"),
                                                                max_digits=20, decimal_places=2, default=0)
    average_income_amount = models.DecimalField(_("average annual income over 3 years"), max_digits=20,
                                                decimal_places=2, default=0)
    net_assets_amount = models.DecimalField(_("net assets at last year-end (entity)"), max_digits=20,
                                            decimal_places=2, default=0)
    investment_experience_years = models.PositiveSmallIntegerField(_("years of investment experience"), default=0)
    # M-7: directors, supervisors, employees of the firm and their spouses may not be single-client investors.
    is_staff_or_spouse = models.BooleanField(_("firm director, supervisor, employee or spouse"), default=False)
    facts_confirmed = models.BooleanField(_("client confirmed the information is true"), default=False)
    professional = models.BooleanField(_("professional investor"), default=False)
    facts_changed_at = models.DateTimeField(_("material facts changed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    retain_until = models.DateField(_("keep until"))

    class Meta:
        verbose_name = _("investor profile")
        verbose_name_plural = _("investor profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(financial_assets_amount__gte=0) & Q(household_financial_net_assets_amount__gte=0)
                & Q(average_income_amount__gte=0) & Q(net_assets_amount__gte=0),
                name="suitability_profile_amounts_not_negative"),
        ]

    def __str__(self):
        return f"{self.customer_id}"


class EvidenceKind(models.TextChoices):
    ASSETS = "assets", _("Financial-asset proof")
    INCOME = "income", _("Income proof")
    EXPERIENCE = "experience", _("Investment-experience proof")
    NET_ASSETS = "net_assets", _("Audited net assets")
    OTHER = "other", _("Other evidence")


class ProfileEvidence(models.Model):
    """A piece of evidence; the file itself is a document of the customer archive (encrypted at rest)."""

    profile = models.ForeignKey(InvestorProfile, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    document = models.ForeignKey("customers.Document", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    retain_until = models.DateField()

    def __str__(self):
        return f"{self.kind} {self.document_id}"


class Questionnaire(models.Model):
    """A version of the risk questionnaire: questions with scored options and the score bands.

    ``questions`` = [{"code", "text", "options": [{"code", "text", "score"}]}];
    ``bands`` = {"lowest_max": n, "C1": max, "C2": max, "C3": max, "C4": max} (C5 above C4)."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    questions = models.JSONField(_("questions"))
    bands = models.JSONField(_("score bands"))
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk questionnaire")
        verbose_name_plural = _("risk questionnaires")

    def __str__(self):
        return self.version


class RiskAssessment(models.Model):
    """One answered questionnaire (M-4, M-12): the answers and the score are kept; valid for 2 years."""

    profile = models.ForeignKey(InvestorProfile, on_delete=models.PROTECT, related_name="assessments")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("answers"))
    score = models.PositiveIntegerField(_("score"))
    investor_class = models.CharField(_("investor class"), max_length=2, choices=InvestorClass.choices)
    lowest_category = models.BooleanField(_("lowest risk-tolerance category"), default=False)
    assessed_at = models.DateTimeField(_("assessed at"))
    valid_until = models.DateField(_("valid until"))
    expired = models.BooleanField(_("expired"), default=False)
    superseded = models.BooleanField(_("superseded"), default=False)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    retain_until = models.DateField()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_at", "-id"]

    def __str__(self):
        return f"{self.profile_id} {self.investor_class}"


class ProfessionalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ProfessionalDecision(models.Model):
    """M-11: a professional classification (or an ordinary investor's conversion request), tested against the
    thresholds, decided by a second person."""

    profile = models.ForeignKey(InvestorProfile, on_delete=models.PROTECT, related_name="professional_decisions")
    conversion = models.BooleanField(_("conversion request"), default=False)
    basis = models.JSONField(_("test result"))
    warning_acknowledged = models.BooleanField(_("investor acknowledged the warning"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=ProfessionalStatus.choices,
                              default=ProfessionalStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    retain_until = models.DateField()

    class Meta:
        verbose_name = _("professional-investor decision")
        verbose_name_plural = _("professional-investor decisions")

    def __str__(self):
        return f"{self.profile_id} {self.status}"


class PlanKind(models.TextChoices):
    SINGLE = "single", _("Single-client plan (定向)")
    COLLECTIVE = "collective", _("Collective plan (集合)")
    PRIVATE_2018 = "private_2018", _("Private asset-management plan (2018)")


class ProductType(models.TextChoices):
    FIXED_INCOME = "fixed_income", _("Fixed income")
    MIXED = "mixed", _("Mixed")
    EQUITY = "equity", _("Equity")
    DERIVATIVES = "derivatives", _("Commodity and derivatives")


class Product(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    plan_kind = models.CharField(_("plan kind"), max_length=16, choices=PlanKind.choices)
    product_type = models.CharField(_("investment type"), max_length=16, choices=ProductType.choices)
    risk_level = models.CharField(_("risk level"), max_length=2, choices=RiskLevel.choices)
    minimum_amount = models.DecimalField(_("minimum subscription"), max_digits=20, decimal_places=2)
    max_investors = models.PositiveIntegerField(_("investor cap"), null=True, blank=True)
    org_unit = models.ForeignKey("core.OrgUnit", verbose_name=_("firm / org unit"), on_delete=models.PROTECT,
                                 related_name="+")
    org_path = models.CharField(max_length=1000, db_index=True, editable=False)
    portfolio_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("portfolio manager"),
                                          null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    set_up_on = models.DateField(_("set up on"), null=True, blank=True)
    open = models.BooleanField(_("open for subscription"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("asset-management product")
        verbose_name_plural = _("asset-management products")
        constraints = [models.CheckConstraint(condition=Q(minimum_amount__gt=0), name="suitability_product_min_pos")]

    def __str__(self):
        return f"{self.code} {self.name}"


class MarketingMaterial(models.Model):
    """A marketing text attached to a product after passing the forbidden-promise check (M-6)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title


class SubscriptionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    KYC_DONE = "kyc_done", _("KYC done")
    SUITABILITY_OK = "suitability_ok", _("Suitability matched")
    WARNED_CONFIRMED = "warned_confirmed", _("Warned and confirmed")
    DISCLOSURE_SIGNED = "disclosure_signed", _("Risk disclosure signed")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    COOLING_OFF = "cooling_off", _("Cooling-off")
    CALLBACK_DONE = "callback_done", _("Call-back done")
    ACTIVE = "active", pgettext_lazy("subscription state", "Active")
    CANCELLED = "cancelled", _("Cancelled")


# States that hold one of the plan's investor places (M-8): from the signed contract on.
PLACE_STATES = ("contract_signed", "cooling_off", "callback_done", "active")


class Subscription(models.Model):
    investor = models.ForeignKey(InvestorProfile, verbose_name=_("investor"), on_delete=models.PROTECT,
                                 related_name="subscriptions")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="subscriptions")
    org_path = models.CharField(max_length=1000, db_index=True, editable=False)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subscribed_on = models.DateField(_("subscription date"))
    rule_version = models.CharField(_("rule version"), max_length=8)
    state = models.CharField(_("state"), max_length=20, choices=SubscriptionState.choices,
                             default=SubscriptionState.DRAFT, db_index=True)
    assessment = models.ForeignKey(RiskAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    investor_class = models.CharField(_("investor class"), max_length=16, blank=True)
    warning_text = models.TextField(_("written warning"), blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    warning_confirmation = models.CharField(_("investor's confirmation"), max_length=500, blank=True)
    warning_confirmed_at = models.DateTimeField(null=True, blank=True)
    disclosure_text = models.TextField(_("risk-disclosure statement"), blank=True)
    disclosure_sha256 = models.CharField(max_length=64, blank=True)
    disclosure_document = models.ForeignKey("customers.Document", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    esignature_ref = models.CharField(_("e-signature record"), max_length=200, blank=True)
    risk_disclosure_signed_at = models.DateTimeField(null=True, blank=True)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("explained by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    contract_signed_at = models.DateTimeField(null=True, blank=True)
    cooling_off_end = models.DateTimeField(_("cooling-off ends"), null=True, blank=True, db_index=True)
    callback_due = models.BooleanField(_("call-back due"), default=False)
    callback_at = models.DateTimeField(null=True, blank=True)
    callback_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    callback_note = models.CharField(_("call-back note"), max_length=500, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    retain_until = models.DateField()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="suitability_subscription_amount_pos")]

    def __str__(self):
        return f"#{self.pk}"


class SubscriptionStatusChange(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="history")
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.subscription_id} {self.from_state}->{self.to_state}"


class SuitabilityCheck(models.Model):
    """Every matching decision (M-10, M-13): kept for the reports and the 20-year record."""

    investor = models.ForeignKey(InvestorProfile, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    subscription = models.ForeignKey(Subscription, null=True, on_delete=models.PROTECT, related_name="checks")
    org_path = models.CharField(max_length=1000, db_index=True)
    investor_class = models.CharField(max_length=16)
    product_risk = models.CharField(max_length=2)
    allowed = models.BooleanField()
    needs_warning = models.BooleanField()
    reason_code = models.CharField(max_length=32)
    checked_at = models.DateTimeField(db_index=True)
    retain_until = models.DateField()

    def __str__(self):
        return f"{self.investor_id}/{self.product_id} {self.reason_code}"


class FilingKind(models.TextChoices):
    POLICY = "policy", _("Policy filing (qualification)")
    POLICY_CHANGE = "policy_change", _("Policy filing (change)")
    POLICY_LEGACY = "policy_legacy", _("Policy filing (firm already in business)")
    PLAN = "plan", _("Collective plan filing")


class FilingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")


class Filing(models.Model):
    """A filing with the Securities Association (M-1..M-3)."""

    kind = models.CharField(_("kind"), max_length=16, choices=FilingKind.choices)
    org_unit = models.ForeignKey("core.OrgUnit", verbose_name=_("firm / org unit"), on_delete=models.PROTECT,
                                 related_name="+")
    org_path = models.CharField(max_length=1000, db_index=True, editable=False)
    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="filings")
    subject = models.CharField(_("subject"), max_length=200)
    trigger_date = models.DateField(_("trigger date"))
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.OPEN)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    retain_until = models.DateField()

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")

    def __str__(self):
        return self.subject


class FilingDocKind(models.TextChoices):
    """The six documents of a collective-plan filing (规范 Art.6)."""

    REPORT = "report", _("Filing report")
    PLAN_DOCS = "plan_docs", _("Plan description, contract and risk-disclosure statement")
    CUSTODY = "custody", _("Custody agreement")
    COMPLIANCE_OPINION = "compliance_opinion", _("Compliance director's review opinion")
    EXISTING_PLANS = "existing_plans", _("Note on existing plans and staffing")
    UNDERTAKING = "undertaking", _("Compliance undertaking")
    POLICIES = "policies", _("Policies (investment, trading, accounting, risk, compliance, suitability)")


class FilingDocument(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="documents")
    doc_kind = models.CharField(_("document"), max_length=24, choices=FilingDocKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.filing_id} {self.doc_kind}"
