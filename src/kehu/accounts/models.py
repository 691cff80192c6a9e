"""Personal bank accounts by tier (银发〔2016〕302号, 银发〔2018〕16号), the transactions core banking posts,
limit breaches and the Class III ¥50,000 remediation tasks (16号 一(五)).

Amounts are stored in fen (integer hundredths of a yuan) in ``*_fen`` columns: the ingest sums ten million
of them in SQL, and SQLite keeps a DECIMAL column as a float, whose sums are not exact. Code reads them as
``Decimal`` through the ``*_amount`` properties.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Customer, Document


class Tier(models.TextChoices):
    I = "I", _("Class I")  # noqa: E741
    II = "II", _("Class II")
    III = "III", _("Class III")


class Channel(models.TextChoices):
    """Where the account was opened (16号 一(一); domain spec A-1)."""

    COUNTER = "counter", _("Counter")
    ONLINE = "online", _("Online or mobile banking")
    DIRECT_BANK = "direct_bank", _("Direct bank")
    VIDEO_TELLER = "video_teller", _("Remote video teller")
    SMART_TELLER = "smart_teller", _("Smart teller")


class BoundKind(models.TextChoices):
    CLASS1 = "class1", _("Class I account")
    CREDIT_CARD = "credit_card", _("Credit card")


class IdentityCheck(models.TextChoices):
    """How the holder's identity was checked at opening (16号 一(二); domain spec A-2, A-6)."""

    FACE_TO_FACE = "face_to_face", _("Face to face")
    CERTIFICATE = "certificate", _("Digital certificate")
    ESIGNATURE = "esignature", _("Electronic signature")
    FIVE_ELEMENTS = "five_elements", _("Five-element verification with the bound bank")


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class TxnType(models.TextChoices):
    """Transaction classification of domain spec 5.3."""

    INBOUND_NONBOUND = "inbound_nonbound", _("Inflow from a non-bound account")
    CASH_DEPOSIT = "cash_deposit", _("Cash deposit")
    CONSUMPTION_PAYMENT = "consumption_payment", _("Consumption or payment")
    OUTBOUND_NONBOUND = "outbound_nonbound", _("Transfer to a non-bound account")
    CASH_WITHDRAWAL = "cash_withdrawal", _("Cash withdrawal")
    BOUND_IN = "bound_in", _("Transfer from the bound account")
    BOUND_OUT = "bound_out", _("Transfer to the bound account")
    WEALTH_BUY = "wealth_buy", _("Wealth-product purchase")
    WEALTH_REDEEM = "wealth_redeem", _("Wealth-product redemption")
    LOAN_DISBURSE = "loan_disburse", _("Loan disbursement")
    LOAN_REPAY = "loan_repay", _("Loan repayment")


class PersonalAccount(models.Model):
    account_no = models.CharField(_("account number"), max_length=40, unique=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="personal_accounts")
    tier = models.CharField(_("tier"), max_length=3, choices=Tier.choices)
    opened_on = models.DateField(_("opened on"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    bound_account_no = models.CharField(_("bound account"), max_length=40, blank=True)
    bound_same_bank = models.BooleanField(_("bound account at this bank"), null=True, blank=True)
    bound_kind = models.CharField(_("bound account kind"), max_length=16, choices=BoundKind.choices, blank=True)
    identity_check = models.CharField(_("identity check"), max_length=16, choices=IdentityCheck.choices)
    # the identity copy verified face to face earlier and reused for this account.
    identity_document = models.ForeignKey(Document, verbose_name=_("reused identity copy"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    # Class II/III were suggested when this Class I account was opened.
    cross_sell_offered = models.BooleanField(_("Class II/III suggested"), default=False)
    # Class III only (16号: balance at most ¥2,000); starts at 0 when the account opens.
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal account")
        verbose_name_plural = _("personal accounts")
        indexes = [models.Index(fields=["customer", "tier"])]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=["I", "II", "III"]), name="accounts_tier_valid"),
        ]

    def __str__(self) -> str:
        return self.account_no

    @property
    def balance_amount(self) -> Decimal:
        return Decimal(self.balance_fen) / 100

    @property
    def face_to_face(self) -> bool:
        return self.identity_check == IdentityCheck.FACE_TO_FACE


class AccountTransaction(models.Model):
    """A transaction core banking posted (or will post, in gate mode). Idempotent by ``txn_id``."""

    txn_id = models.CharField(_("transaction id"), max_length=64, unique=True)
    # db_index=False: the (account, posted_at, txn_id) index below serves every lookup by account.
    # db_constraint=False: PostgreSQL checks a foreign key with a trigger per inserted row, which doubled the
    # time of a ten-million-row ingest. Rows are only written by the posting service (from a locked account
    # row) and by the ingest (from a join with the accounts), and an account is never deleted (PROTECT).
    account = models.ForeignKey(PersonalAccount, on_delete=models.PROTECT, related_name="transactions",
                                db_index=False, db_constraint=False)
    # Copied from the account so the ingest's window sums need no join.
    customer_id_copy = models.BigIntegerField(db_index=False)
    tier = models.CharField(max_length=3)
    posted_at = models.DateTimeField(_("posted at"))
    # Day and year on the Asia/Shanghai calendar: the counters' periods (domain spec A-8).
    local_day = models.DateField(_("day"))
    local_year = models.PositiveSmallIntegerField()
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    type = models.CharField(_("type"), max_length=24, choices=TxnType.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    # 'in' / 'out' for the tier's limited buckets, '' when exempt or not limited (rules.bucket_of).
    bucket = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account transaction")
        verbose_name_plural = _("account transactions")
        indexes = [
            models.Index(fields=["account", "posted_at", "txn_id"], name="accounts_txn_account_time"),
            models.Index(fields=["customer_id_copy", "tier"], name="accounts_txn_person_tier"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="accounts_txn_amount_positive")]

    def __str__(self) -> str:
        return self.txn_id

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_fen) / 100


class Breach(models.Model):
    """A transaction that took a counter past its limit or broke a tier rule (monitoring mode)."""

    # Both lookups are served by the constraint and the index below. No database foreign key (see
    # AccountTransaction.account): breaches are written only by the posting service and the ingest, from
    # their transaction rows.
    txn = models.ForeignKey(AccountTransaction, on_delete=models.CASCADE, related_name="breaches", db_index=False,
                            db_constraint=False)
    account = models.ForeignKey(PersonalAccount, on_delete=models.CASCADE, related_name="breaches", db_index=False,
                                db_constraint=False)
    rule = models.CharField(_("rule"), max_length=32)
    local_day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("limit breach")
        verbose_name_plural = _("limit breaches")
        constraints = [models.UniqueConstraint(fields=["txn", "rule"], name="accounts_breach_once")]
        indexes = [models.Index(fields=["account", "local_day"], name="accounts_breach_account_day")]

    def __str__(self) -> str:
        return f"{self.txn_id}:{self.rule}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class RemediationTask(models.Model):
    """16号 一(五): the person's Class III two-way total reached ¥50,000; a valid ID within 7 days."""

    customer = models.OneToOneField(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                    related_name="class3_remediation")
    trigger_txn = models.ForeignKey(AccountTransaction, verbose_name=_("trigger transaction"),
                                    on_delete=models.PROTECT, related_name="+")
    trigger_date = models.DateField(_("trigger date"))
    total_fen = models.BigIntegerField(_("Class III total at the trigger (fen)"))
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    id_document = models.ForeignKey(Document, verbose_name=_("ID copy"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    id_expires_on = models.DateField(_("ID valid until"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Class III remediation task")
        verbose_name_plural = _("Class III remediation tasks")
        indexes = [models.Index(fields=["status", "due_date"], name="accounts_task_status_due")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.status}"

    @property
    def total_amount(self) -> Decimal:
        return Decimal(self.total_fen) / 100


class IngestRun(models.Model):
    """One run of ``kehu accounts ingest``: counts and the error file."""

    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("file hash"), max_length=64)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("already ingested"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    breaches = models.PositiveIntegerField(_("breaches"), default=0)
    tasks_created = models.PositiveIntegerField(_("tasks created"), default=0)
    error_file = models.CharField(_("error file"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transaction ingest")
        verbose_name_plural = _("transaction ingests")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})"
