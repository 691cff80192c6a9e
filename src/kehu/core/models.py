"""Organisation, users and roles, API tokens, the audit log and the rule-parameter registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.fields import EncryptedTextField

if TYPE_CHECKING:
    from kehu.core.selectors import Access


class OrgUnit(models.Model):
    """A node of the organisation tree (head office → branch → sub-branch, or group → company → dept).

    ``path`` is the materialised path of codes ("/HQ/BJ/"), so that "this unit and everything below it"
    is one indexed prefix match instead of a recursive query.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=1000, db_index=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")


class KehuUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A staff user. Roles are held through ``RoleAssignment`` rows, each within an org unit."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    failed_logins = models.PositiveIntegerField(_("failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Second factor (TOTP, RFC 6238): the shared secret is encrypted like personal data; the factor is
    # on once the user has confirmed a first code (``totp_enabled_at``).
    totp_secret = EncryptedTextField(_("TOTP secret"), blank=True, default="")
    totp_enabled_at = models.DateTimeField(_("second factor enabled at"), null=True, blank=True)
    # The 30-second step of the last code accepted: a code is good once (no replay within its window).
    totp_last_step = models.BigIntegerField(_("last code step"), null=True, blank=True)

    objects: ClassVar[KehuUserManager] = KehuUserManager()

    if TYPE_CHECKING:
        _kehu_access: Access  # kehu.core.selectors.access_for caches the grants here for the request

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    """Roles from the source documents (S9 Ch.2 §1, Ch.4 §5-7; S4 for separation of duties)."""

    CUSTOMER_MANAGER = "customer_manager", _("Customer manager (sales)")
    CUSTOMER_OFFICE = "customer_office", _("Customer-management office")
    DEPT_REVIEWER = "dept_reviewer", _("Department reviewer")
    COMMITTEE = "committee", _("Customer-management committee member")
    AUDITOR = "auditor", _("Auditor")
    SYSADMIN = "sysadmin", _("System administrator")
    # Bank credit (S5, S1): approvers hold authority by the level of their org unit; the risk office
    # keeps the statistics and the regulatory report; finance enters capital bases and receivables.
    CREDIT_APPROVER = "credit_approver", _("Credit approver")
    RISK_OFFICER = "risk_officer", _("Risk-management officer")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    # Customer service (S3 Art.10-13, S8).
    SERVICE_AGENT = "service_agent", _("Customer-service agent")
    SERVICE_SUPERVISOR = "service_supervisor", _("Customer-service supervisor")
    # Trade credit (S9 Ch.2 §4-6; domain spec L-5): who may release an order held for credit, by how far
    # it goes over the limit.
    SALES_MANAGER = "sales_manager", _("Sales manager")
    FINANCE_MANAGER = "finance_manager", _("Finance manager")
    GENERAL_MANAGER = "general_manager", _("General manager")
    # Personal-information protection officer (PIPL Art.52; domain spec PI-11): handles data-subject requests,
    # legal holds and retention.
    PRIVACY_OFFICER = "privacy_officer", _("Personal-information protection officer")


class Department(models.TextChoices):
    """Departments whose opinion the admission review asks for (S9 Ch.4 §6)."""

    ENTERPRISE_MGMT = "enterprise_mgmt", _("Enterprise management")
    PRODUCTION = "production", _("Production")
    FINANCE = "finance", _("Finance")
    AUDIT = "audit", _("Audit and supervision")
    SAFETY_ENV = "safety_env", _("Safety and environment")


class RoleAssignment(models.Model):
    """A role held by a user within an org unit; data scope is that unit and its descendants."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+")
    department = models.CharField(_("department"), max_length=32, choices=Department.choices, blank=True)
    own_customers_only = models.BooleanField(
        _("own customers only"),
        default=False,
        help_text=_("Limit a customer manager to the customers assigned to them."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit", "department"], name="role_assignment_unique"
            ),
            models.CheckConstraint(
                condition=Q(role="dept_reviewer") | Q(department=""), name="role_department_only_for_reviewers"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit.code}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEvent(models.Model):
    """One row of the append-only, hash-chained audit log (docs/audit-design.md).

    A writer appends the row with ``content_hash`` (keyed hash of its own content, id included) and no
    lock; the sealer then gives committed rows their place in the chain: ``seal_seq`` (1, 2, 3, ... without
    gaps), ``prev_hash`` and ``row_hash`` (keyed hash over the previous link, the place and the content
    hash), so an edited, deleted, reordered or truncated row is detected (`kehu audit verify`).
    """

    ts = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    event_code = models.PositiveIntegerField(_("event code"), db_index=True)
    event = models.CharField(_("event"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True, db_index=True)
    old_values = models.JSONField(_("old values"), null=True, blank=True)
    new_values = models.JSONField(_("new values"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    # The org unit the row concerns (the customer's, else the user's or the actor's): an auditor of a
    # branch reads only the rows of that branch's subtree (issue 11, defect 14).
    org_path = models.CharField(_("org path"), max_length=1000, blank=True, db_index=True)
    # 1: plain SHA-256 chain (rows written before the keyed chain); 2: HMAC-SHA256 under the audit key.
    hash_version = models.PositiveSmallIntegerField(_("hash version"), default=1)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    row_hash = models.CharField(_("row hash"), max_length=64)
    # Version 3 (issue 17): the row's place in the chain, given by the sealer after the row committed
    # (empty while the row is pending), and the keyed hash of the row's own content, given by its writer.
    seal_seq = models.BigIntegerField(_("seal sequence"), null=True, blank=True, unique=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [models.Index(fields=["id"], condition=models.Q(seal_seq__isnull=True), name="audit_unsealed"),
                   models.Index(fields=["actor", "ts"]), models.Index(fields=["object_type", "object_id"]),
                   # The customer page's timeline: a customer's rows newest first, in keyset pages.
                   models.Index(fields=["customer_id", "ts", "id"], name="audit_customer_timeline")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row holding the sealed chain's last id, hash and length (the last ``seal_seq``).

    Only the sealer writes it (writers take no lock since issue 17); it lets verification notice the
    removal of the newest sealed rows.
    """

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head #{self.last_id}"


class RuleParameter(models.Model):
    """A configurable rule parameter (domain spec 1.2 and Appendix A), effective by date.

    The code's defaults live in ``kehu.core.params.REGISTRY``; a row here overrides one once approved
    by a second user (maker-checker).
    """

    class Provenance(models.TextChoices):
        SOURCE = "source", _("Source document")
        PUB_CONFIRMED = "pub_confirmed", _("Public source, confirmed")
        PUB_TO_VERIFY = "pub_to_verify", _("Public source, to verify")
        PROPOSED = "proposed", _("Proposed default")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    code = models.CharField(_("code"), max_length=100, db_index=True)
    value = models.JSONField(_("value"))
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    provenance = models.CharField(_("provenance"), max_length=16, choices=Provenance.choices, default="proposed")
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="pending")
    # a context of their own: core's catalogue comes first, and other apps word their own "approved by"
    proposed_by = models.ForeignKey(User, verbose_name=pgettext_lazy("rule parameter", "proposed by"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    approved_by = models.ForeignKey(User, verbose_name=pgettext_lazy("rule parameter", "approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("rule parameter")
        verbose_name_plural = _("rule parameters")
        ordering = ["code", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.code} = {self.value}"


class ScheduledRun(models.Model):
    """One run of a scheduled job for one slot (a month, a day, a 15-minute window).

    The unique (job, slot) row is the claim: when several app servers or cron entries tick at once, only
    the one whose insert succeeds runs the slot (``kehu.core.scheduler``)."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=64)
    slot = models.CharField(_("slot"), max_length=32)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RUNNING)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} {self.slot} {self.state}"


class PasswordHistory(models.Model):
    """A user's earlier password hashes: the last few may not be reused (domain spec I-10)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class RecoveryCode(models.Model):
    """A one-time recovery code of the second factor; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user_id}: {'used' if self.used_at else 'unused'}"


class LoginThrottle(models.Model):
    """Failed logins counted per client address (``ip:…``) and per username typed (``user:…``).

    The username key exists whether or not the account does, so unknown and real names are throttled
    (and answered) alike. Each failure past the free ones doubles the wait (``blocked_until``)."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure at"))
    blocked_until = models.DateTimeField(_("blocked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


# ---------------------------------------------------------------- the business calendar (kehu.core.calendar)

class CalendarOverride(models.Model):
    """A day that is (or is not) a working day for an org unit, for years the library does not know."""

    org_path = models.CharField(_("org unit path"), max_length=255, blank=True,
                                help_text=_("Empty for all org units"))
    day = models.DateField(_("day"))
    working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        db_table = "helpdesk_calendaroverride"  # moved from helpdesk (issue 12): the table and its rows stay
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        unique_together = [("org_path", "day")]

    def __str__(self) -> str:
        return f"{self.org_path or '*'} {self.day} {'working' if self.working else 'off'}"


class WorkingHours(models.Model):
    """The working-hour sessions of an org unit and the units below it (the nearest configured unit wins)."""

    org_path = models.CharField(_("org unit path"), max_length=255, unique=True)
    sessions = models.JSONField(_("working sessions"),
                                help_text=_('e.g. [["08:30","12:00"],["13:30","17:30"]]'))

    class Meta:
        db_table = "helpdesk_workinghours"  # moved from helpdesk (issue 12): the table and its rows stay
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return self.org_path

class Job(models.Model):
    """One piece of background work (an import, a grading run, a backup ...), run by ``kehu.core.jobs``.

    The row is the queue on the embedded default (a worker claims it with one atomic UPDATE, or
    ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL) and the status record on Celery; either way the
    claim, not the transport, decides who runs it, so a job runs once however many workers see it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    progress_note = models.CharField(_("stage"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("submitted by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # A client's retry of the same submission finds the first job instead of starting a second one.
    key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True, unique=True)
    # Who holds the claim (worker name and a nonce): only the holder may finish the job.
    claimed_by = models.CharField(_("claimed by"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    run_after = models.DateTimeField(_("not before"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "run_after", "id"], name="core_job_queue")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(self.progress_done * 100 / self.progress_total))
