"""The customer archive (客户档案) and the admission review (客户准入).

Sources: the group company's 客户管理办法 (S9) chapters 2-5 and the 客户管理条例 (S3) articles 5-8;
domain spec sections 2 and 10.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import EncryptedTextField
from kehu.core.models import Department, OrgUnit


class CustomerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL = "individual", _("Individual")
    FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")
    SCATTERED = "scattered", _("Scattered buyer")


class AdmissionStatus(models.TextChoices):
    """The customer's standing; the review itself is tracked on ``AdmissionApplication``."""

    PROSPECT = "prospect", _("Prospect")
    IN_REVIEW = "in_review", _("In admission review")
    QUALIFIED = "qualified", _("Qualified")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    TERMINATED = "terminated", _("Terminated")
    EXITED = "exited", _("Exited")


class Customer(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=CustomerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # Set only when individual names are encrypted (KEHU_ENCRYPT_INDIVIDUAL_NAMES); ``name`` then holds
    # the masked form, which is what lists and search see.
    name_encrypted = EncryptedTextField(_("name (encrypted)"), blank=True, default="")
    name_pinyin = models.CharField(_("name in pinyin"), max_length=600, blank=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=200, blank=True)
    # NULL, not "": many customers have no code, and the unique constraint (Meta) must let them all in.
    uscc = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True)  # noqa: DJ001
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    registered_capital_amount = models.DecimalField(
        _("registered capital"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    address = EncryptedTextField(_("address"), blank=True, default="")
    id_number = EncryptedTextField(_("resident ID number"), blank=True, default="")
    id_number_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (unique, see uscc)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True, default="")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=1000, editable=False)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer manager"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="managed_customers",
    )
    admission_status = models.CharField(
        _("admission status"), max_length=16, choices=AdmissionStatus.choices, default=AdmissionStatus.PROSPECT
    )
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    termination_reason = models.CharField(_("termination reason"), max_length=32, blank=True)
    # PIPL Art.47 / domain spec PI-9: a record that must be kept under a legal hold although its deletion is due
    # is restricted: kept and secured, hidden from pages, exports and analytics (set by kehu.privacy).
    # No index: few records are restricted, and an index on the flag drew the planner off the search indexes.
    pi_restricted = models.BooleanField(_("restricted (legal hold)"), default=False, db_default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["enterprise", "financial_institution"]) | Q(uscc__isnull=False),
                name="customer_entity_has_uscc",
            ),
            models.CheckConstraint(
                condition=Q(registered_capital_amount__isnull=True) | Q(registered_capital_amount__gte=0),
                name="customer_capital_not_negative",
            ),
            # unique=True would also give PostgreSQL a varchar_pattern_ops twin of each, which no query uses
            # (equality only; the uscc prefix search is a range, migration 0002 has its own prefix index).
            models.UniqueConstraint(fields=["uscc"], name="customers_customer_uscc_key"),
            models.UniqueConstraint(fields=["id_number_hash"], name="customers_customer_id_number_hash_key"),
        ]
        # Declared here rather than with db_index=True, which on PostgreSQL adds a varchar_pattern_ops twin of every
        # CharField index: every index is a write of every insert, and of every update that is not HOT. Only
        # org_path is filtered with LIKE 'prefix%' (data scope), so only it keeps a pattern index, and no plain
        # one: the (org_path, admission_status) index starts with it. Which query uses which: docs/grading.md (P7).
        indexes = [
            models.Index(fields=["org_path", "admission_status"]),
            models.Index(fields=["org_path"], name="customers_org_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name"], name="customers_name_idx"),
            models.Index(fields=["name_pinyin"], name="customers_pinyin_idx"),
            models.Index(fields=["name_initials"], name="customers_initials_idx"),
            models.Index(fields=["industry"], name="customers_industry_idx"),
            models.Index(fields=["region"], name="customers_region_idx"),
            models.Index(fields=["admission_status"], name="customers_status_idx"),
            models.Index(fields=["grade"], name="customers_grade_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_entity(self) -> bool:
        return self.kind in (CustomerKind.ENTERPRISE, CustomerKind.FINANCIAL_INSTITUTION)

    @property
    def true_name(self) -> str:
        return self.name_encrypted or self.name


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    email = EncryptedTextField(_("e-mail"), blank=True, default="")
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Customer basic-information questionnaire")
    LICENCE = "licence", _("Licence copy")
    CONTRACT = "contract", _("Contract")
    IDENTITY = "identity", _("Identity document")
    FINANCIAL = "financial", _("Financial statement")
    OTHER = "other", _("Other")


class Document(models.Model):
    """A file in the customer archive (S9 Ch.5 §2). The bytes are stored encrypted under KEHU_HOME."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class LicenceKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    TAX_REGISTRATION = "tax_registration", _("Tax registration")
    SAFETY_PERMIT = "safety_permit", _("Safety production permit")
    ENVIRONMENTAL_PERMIT = "environmental_permit", _("Pollutant discharge / environmental permit")
    FINANCIAL_LICENCE = "financial_licence", _("Financial licence")
    OTHER = "other", _("Other qualification")


class Licence(models.Model):
    """A licence or qualification (S9 Ch.4 §3-4). ``valid_to`` empty means long-term (长期)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(_("kind"), max_length=32, choices=LicenceKind.choices)
    number = models.CharField(_("number"), max_length=64)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Since 2014 annual inspection (年检) is replaced by annual-report disclosure (年报公示).
    annual_report_ok = models.BooleanField(_("annual report filed"), default=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["kind", "-valid_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="licence_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ContractKind(models.TextChoices):
    PURCHASE_SALES = "purchase_sales", _("Purchase/sales contract")
    FRAMEWORK = "framework", _("Framework agreement")
    OTHER = "other", _("Other contract")


class ContractStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class SalesContract(models.Model):
    """A purchase/sales contract on file (产品购销合同, S9 Ch.4 §2)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField(_("contract number"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ContractKind.choices, default="purchase_sales")
    signed_on = models.DateField(_("signed on"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=16, choices=ContractStatus.choices, default="filed")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sales contract")
        verbose_name_plural = _("sales contracts")
        ordering = ["-signed_on"]
        constraints = [models.UniqueConstraint(fields=["customer", "number"], name="contract_number_unique")]

    def __str__(self) -> str:
        return self.number


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    TERMINATED = "terminated", _("Terminated")


class CooperationAgreement(models.Model):
    """The sales-cooperation agreement (销售合作协议, S9 Ch.2 §3, §5)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="agreements")
    number = models.CharField(_("agreement number"), max_length=64)
    signed_on = models.DateField(_("signed on"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AgreementStatus.choices, default="active")
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")

    def __str__(self) -> str:
        return self.number


class CustomerGroup(models.Model):
    """A group of connected customers (集团客户, 银监会令2010年第4号 Art.3)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=1000, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self) -> str:
        return self.name


class GroupRelation(models.TextChoices):
    PARENT = "parent", _("Parent company")
    SUBSIDIARY = "subsidiary", _("Controlled subsidiary")
    COMMON_CONTROL = "common_control", _("Under common control")
    KEY_INDIVIDUAL = "key_individual", _("Controlled by the same key individual or family")
    OTHER = "other", _("Other related party")


class GroupMembership(models.Model):
    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="group_memberships")
    relation = models.CharField(_("relation"), max_length=32, choices=GroupRelation.choices)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        # A customer belongs to one group at a time, so group exposure is never counted twice.
        constraints = [models.UniqueConstraint(fields=["customer"], name="one_group_per_customer")]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.customer_id}"


class InfoChangeLog(models.Model):
    """A change to a customer's data: what changed, masked (S3 Art.8)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("field"), max_length=64)
    old_display = models.CharField(_("old value"), max_length=500, blank=True)
    new_display = models.CharField(_("new value"), max_length=500, blank=True)
    is_personal = models.BooleanField(default=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    ts = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ts", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id}.{self.field}"


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    DECLINED = "declined", _("Declined by the customer")


class ConsentRecord(models.Model):
    """A notice to the customer of a change to their personal data and their consent (S3 Art.8)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=64, default="info_change")
    fields = models.JSONField(_("fields"), default=list)
    status = models.CharField(_("status"), max_length=16, choices=ConsentStatus.choices, default="pending")
    channel = models.CharField(_("channel"), max_length=32, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose} {self.status}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SALES_CHECKED = "sales_checked", _("Sales pre-check passed")
    OFFICE_REVIEWED = "office_reviewed", _("Office review passed")
    OPINIONS_COMPLETE = "opinions_complete", _("Department opinions complete")
    QUALIFIED = "qualified", _("Qualified")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for correction")


class AdmissionApplication(models.Model):
    """One admission review of a customer (S9 Ch.4 §5-7; domain spec 2.2)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default="draft", db_index=True
    )
    round = models.PositiveIntegerField(_("round"), default=0)
    # The customer basic-information questionnaire (客户基本情况调查表).
    questionnaire = models.JSONField(_("questionnaire"), default=dict)
    expected_annual_volume_amount = models.DecimalField(
        _("expected annual volume"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    volume_justification = models.TextField(_("volume justification"), blank=True)
    scope_attested = models.BooleanField(_("business within licensed scope"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("admission application")
        verbose_name_plural = _("admission applications")
        ordering = ["-id"]
        constraints = [
            # One open review per customer at a time.
            models.UniqueConstraint(
                fields=["customer"],
                condition=~Q(status__in=["qualified", "rejected"]),
                name="one_open_application_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"


class ReviewStage(models.TextChoices):
    SALES_CHECK = "sales_check", _("Sales pre-check")
    OFFICE_REVIEW = "office_review", _("Office review")
    DEPARTMENT = "department", _("Department opinion")
    COMMITTEE = "committee", _("Committee vote")


class Opinion(models.TextChoices):
    APPROVE = "approve", _("Approve")
    CONDITIONAL = "conditional", _("Approve with conditions")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return for correction")


class AdmissionReview(models.Model):
    """An opinion or decision at one stage of one round of an application."""

    application = models.ForeignKey(AdmissionApplication, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveIntegerField()
    stage = models.CharField(_("stage"), max_length=20, choices=ReviewStage.choices)
    department = models.CharField(_("department"), max_length=32, choices=Department.choices, blank=True)
    opinion = models.CharField(_("opinion"), max_length=16, choices=Opinion.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # The database, not only the service, refuses a second opinion of one department in a round
            # and a second vote of one committee member: concurrent requests cannot double-count.
            models.UniqueConstraint(
                fields=["application", "round", "department"],
                condition=Q(stage="department"),
                name="one_opinion_per_department_round",
            ),
            models.UniqueConstraint(
                fields=["application", "round", "reviewer"],
                condition=Q(stage="committee"),
                name="one_vote_per_member_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.opinion}"


class AdmissionStatusChange(models.Model):
    application = models.ForeignKey(AdmissionApplication, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    ts = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
