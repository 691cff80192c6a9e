"""Personal-information protection (PIPL; domain spec 10.3, 10.6; PI-1..PI-9).

Notices, the register of processing purposes and the personal fields tied to them, consents per purpose,
data-subject requests, retention policies, legal holds and the sweeps that apply them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import EncryptedTextField
from kehu.core.retention import DATA_CLASSES
from kehu.customers.models import Customer


class LegalBasis(models.TextChoices):
    """PIPL Art.13."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Necessary for a contract with the person")
    HR = "hr", _("Human-resources management")
    LEGAL_DUTY = "legal_duty", _("Legal duty or obligation")
    EMERGENCY = "emergency", _("Public-health emergency or protection of life")
    NEWS = "news", _("News reporting in the public interest")
    PUBLIC = "public", _("Information the person has made public")


class PrivacyNotice(models.Model):
    """A version of the privacy notice (PI-4): controller, purposes, methods, data types, retention, rights."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    content = models.TextField(_("content"))
    effective_from = models.DateField(_("effective from"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return self.version


class ProcessingPurpose(models.Model):
    """The register of processing purposes (PI-1) with its legal basis (PI-2)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=16, choices=LegalBasis.choices)
    description = models.TextField(_("description"), blank=True)
    essential = models.BooleanField(_("needed for the service"), default=True,
                                    help_text=_("Service may not be refused for declining a non-essential purpose "
                                                "(PIPL Art.16)."))

    class Meta:
        verbose_name = _("processing purpose")
        verbose_name_plural = _("processing purposes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PersonalField(models.Model):
    """A personal field kehu stores, tied to the purpose it is collected for (PI-1) and classified (10.2)."""

    model = models.CharField(_("model"), max_length=100)  # app_label.ModelName
    field = models.CharField(_("field"), max_length=100)
    purpose = models.ForeignKey(ProcessingPurpose, on_delete=models.PROTECT, related_name="fields")
    sensitive = models.BooleanField(_("sensitive personal information"), default=False)
    jr0171_class = models.CharField(_("JR/T 0171 class"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("personal field")
        verbose_name_plural = _("personal fields")
        constraints = [models.UniqueConstraint(fields=["model", "field"], name="privacy_field_once")]

    def __str__(self) -> str:
        return f"{self.model}.{self.field}"


class Consent(models.Model):
    """A customer's consent to one purpose under one notice version (PI-2, PI-3); SEPARATE for sensitive PI."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("Consent")
        SEPARATE = "separate", _("Separate consent (sensitive personal information)")

    class Channel(models.TextChoices):
        PAPER = "paper", _("Signed form")
        COUNTER = "counter", _("At the counter")
        PHONE = "phone", _("By telephone (recorded)")
        ONLINE = "online", _("Online")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purpose_consents")
    purpose = models.ForeignKey(ProcessingPurpose, on_delete=models.PROTECT, related_name="consents")
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [models.UniqueConstraint(fields=["customer", "purpose"], condition=Q(withdrawn_at__isnull=True),
                                               name="privacy_one_live_consent_per_purpose")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose_id} {self.kind}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and copy")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")
    EXPLANATION = "explanation", _("Explanation of the processing rules")


class RequestState(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Identity verified")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class DataSubjectRequest(models.Model):
    """A request by the person (PI-8, PIPL Art.44-50): received -> verified -> outcome, due in 15 working days."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="privacy_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=RequestState.choices, default=RequestState.RECEIVED)
    detail = models.TextField(_("what the person asks"), blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Consent.Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    verification = models.CharField(_("how the identity was verified"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due"))
    cap_at = models.DateTimeField(_("latest"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["state", "due_at"], name="privacy_request_open_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class RetentionPolicy(models.Model):
    """How long one class of data is kept and what happens after (PI-5, domain spec 10.6)."""

    class Action(models.TextChoices):
        ANONYMISE = "anonymise", _("Anonymise")
        DELETE = "delete", _("Delete")
        RESTRICT = "restrict", _("Restrict (keep, hidden from use)")

    # a code of kehu.core.retention.DATA_CLASSES (the app that owns the data registers it)
    data_class = models.CharField(_("data class"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    basis = models.CharField(_("legal basis"), max_length=300)
    period_days = models.PositiveIntegerField(_("period (days)"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["data_class"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        registered = DATA_CLASSES.get(self.data_class)
        if registered is None:
            raise ValidationError({"data_class": _("No app registers this data class.")})
        if self.action not in registered.actions:
            raise ValidationError({"action": _("This data class supports only: %(actions)s.")
                                   % {"actions": ", ".join(str(self.Action(a).label) for a in registered.actions)}})


class LegalHold(models.Model):
    """A law requires the record to be kept (PI-9): no deletion; the record is restricted instead."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Open or recent complaint")
        SUITABILITY = "suitability", _("Suitability records (>= 20 years)")
        AML = "aml", _("Anti-money-laundering retention (>= 5 years)")
        LITIGATION = "litigation", _("Litigation or investigation")
        ACCOUNTING = "accounting", _("Accounting archives")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="legal_holds")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    placed_at = models.DateTimeField(_("placed at"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    until = models.DateField(_("until"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id}"


class Erasure(models.Model):
    """A customer's personal data erased (by a request or by retention). The same fact is appended to the
    deletion ledger outside the database, so a restore of an older backup can apply it again (D-9)."""

    class Cause(models.TextChoices):
        REQUEST = "request", _("Data-subject request")
        RETENTION = "retention", _("Retention period ended")

    # Not a foreign key: a retention deletion may remove the customer row itself.
    customer_ref = models.BigIntegerField(_("customer"), db_index=True)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices)
    request = models.ForeignKey(DataSubjectRequest, null=True, blank=True, on_delete=models.PROTECT)
    policy = models.ForeignKey(RetentionPolicy, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(_("erased at"))
    action = models.CharField(_("action"), max_length=16)  # anonymised or deleted
    counts = models.JSONField(default=dict)
    reapplied = models.BooleanField(_("re-applied after a restore"), default=False)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.customer_ref} {self.action}"


class SweepRun(models.Model):
    """One run of the retention sweeper; a dry run lists what a later real run may act on."""

    started_at = models.DateTimeField(_("started at"))
    dry_run = models.BooleanField(_("dry run"))
    items = models.JSONField(_("items"), default=list)  # [{"customer", "policy", "action"}]
    erased = models.PositiveIntegerField(default=0)
    restricted = models.PositiveIntegerField(default=0)
    # per data class: counts only, never personal data ({"class", "action", "period_days", "expired", "held",
    # "acted", "note"})
    classes = models.JSONField(_("per data class"), default=list)

    class Meta:
        verbose_name = _("retention sweep")
        verbose_name_plural = _("retention sweeps")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"sweep {self.started_at:%Y-%m-%d}"


class ChangeNotice(models.Model):
    """S3 Art.8: the customer told of a change to their information, and their answer from a signed link."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the customer")
        CONFIRMED = "confirmed", _("Agreed")
        UNDONE = "undone", _("Refused: the change was undone")
        FLAGGED = "flagged", _("Refused: for the customer manager to resolve")
        UNREACHABLE = "unreachable", _("No address to notify: for the customer manager")

    consent = models.OneToOneField("customers.ConsentRecord", on_delete=models.CASCADE, related_name="notice")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="change_notices")
    # The changed fields' previous values in clear, encrypted at rest; empty when the change cannot be undone
    # (contacts).
    old_values = EncryptedTextField(blank=True, default="")
    message = models.ForeignKey("outbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    link = models.ForeignKey("outbox.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    created_at = models.DateTimeField(_("created at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["outcome"], name="privacy_notice_outcome")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.outcome}"
