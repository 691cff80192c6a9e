"""Writes of personal accounts: open or record an account, post a transaction (monitoring or gate mode),
check one without posting, complete a Class III remediation task.

Locking (architecture.md): a posting reads counters, decides and writes, so it locks the customer row and
then the account row (always in that order) before reading. On SQLite the IMMEDIATE transaction does the
same. Two postings on the same person are serialised; on different people they run side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts import rules
from kehu.accounts.errors import AccountLimitReached, Class3Suspended, PostingRefused, TxnConflict
from kehu.accounts.events import AccountsEvent
from kehu.accounts.models import (
    AccountTransaction,
    BoundKind,
    Breach,
    Channel,
    IdentityCheck,
    PersonalAccount,
    RemediationTask,
    TaskStatus,
    Tier,
    TxnType,
)
from kehu.accounts.params import LIMIT_PARAMS, limits_from, values_on
from kehu.accounts.params import PARAMS as ACCT_PARAMS
from kehu.accounts.permissions import AccountsPerm
from kehu.accounts.selectors import account_get, class3_suspended, tasks_visible_to, trigger_threshold
from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.inputs import choice, day, text
from kehu.core.models import RuleParameter, User
from kehu.core.params import get_param
from kehu.core.rules import mask_id_number
from kehu.core.selectors import access_for
from kehu.customers.blind_index import id_number_filter
from kehu.customers.models import Customer, CustomerKind, Document, DocumentKind
from kehu.customers.rules import clean_resident_id
from kehu.customers.selectors import customer_get
from kehu.customers.services import customer_create, customer_update, document_upload

MAX_PER_TIER = {"I": "acct.class1_max_per_bank", "II": "acct.class2_max_per_bank", "III": "acct.class3_max_per_bank"}
# Face to face means a counter, or a self-service device with staff present (302号 as in domain spec 5.1).
FACE_TO_FACE_CHANNELS = {Channel.COUNTER, Channel.SMART_TELLER}


def _lock_customer(customer_id: int) -> None:
    # SQLite: the IMMEDIATE transaction already holds the database's write lock.
    if connection.vendor == "postgresql":
        list(Customer.objects.filter(pk=customer_id).select_for_update().values_list("pk", flat=True))


def customer_by_id_number(id_number: str) -> Customer | None:
    return Customer.objects.filter(id_number_filter(id_number)).first()


# ----------------------------------------------------------------------------------------- opening


@dataclass
class Opened:
    account: PersonalAccount
    # when a Class I account is opened, Class II/III are suggested (and that is recorded).
    suggest_class2_3: bool


@transaction.atomic
def account_open(
    *, actor: User | None, account_no: str, tier: str, opened_on: Any, channel: str, identity_check: str,
    customer_id: int | None = None, id_number: str = "", name: str = "", org_code: str | None = None,
    bound_account_no: str = "", bound_same_bank: bool | None = None, bound_kind: str = "",
    identity_document_id: int | None = None, today: date | None = None,
) -> Opened:
    """Open or record a personal account of an individual customer of the archive.

    The customer is given by id, or by resident ID number; a new ID number creates the individual
    through the archive's service (validated, encrypted). Refuses a second Class I per person per bank and
    more Class II/III than the parameters allow (302号)."""
    today = today or timezone.localdate()
    account_no = text(account_no, "account_no", max_length=40, required=True)
    tier = choice(tier, "tier", list(Tier.values))
    opened = day(opened_on, "opened_on", required=True)
    channel = choice(channel, "channel", list(Channel.values))
    identity_check = choice(identity_check, "identity_check", list(IdentityCheck.values))
    bound_account_no = text(bound_account_no, "bound_account_no", max_length=40)
    bound_kind = choice(bound_kind, "bound_kind", list(BoundKind.values)) if bound_kind else ""
    if opened > today:
        raise InvalidInput(_("The opening date is in the future."), field="opened_on")
    if identity_check == IdentityCheck.FACE_TO_FACE and channel not in FACE_TO_FACE_CHANNELS:
        raise InvalidInput(_("Face-to-face identity checks happen at a counter or a staffed smart teller."),
                           field="identity_check")
    if tier in ("II", "III"):
        # II/III are bound to the person's own Class I account or credit card (302号; 16号 一(二)).
        if not bound_account_no or not bound_kind:
            raise InvalidInput(_("A Class II or III account needs a bound Class I account or credit card."),
                               field="bound_account_no", code="bound_account_required")
        if identity_check in (IdentityCheck.CERTIFICATE, IdentityCheck.ESIGNATURE) and not bound_same_bank:
            # 16号 一(二): certificate or e-signature opening relies on a bound account at this bank.
            raise InvalidInput(_("Opening with a certificate or e-signature needs a bound account at this bank."),
                               field="bound_same_bank", code="bound_same_bank_required")
    elif identity_check != IdentityCheck.FACE_TO_FACE:
        raise InvalidInput(_("A Class I account is opened after a face-to-face identity check."),
                           field="identity_check")
    customer = _customer_for_account(actor=actor, customer_id=customer_id, id_number=id_number, name=name,
                                     org_code=org_code)
    _lock_customer(customer.pk)
    if tier == "III" and class3_suspended(customer.pk, today):
        raise Class3Suspended()
    held = PersonalAccount.objects.filter(customer=customer, tier=tier).count()
    allowed = int(get_param(MAX_PER_TIER[tier], on=today))
    if held >= allowed:
        raise AccountLimitReached(_("The person already holds %(n)d Class %(tier)s accounts at this bank "
                                    "(at most %(max)d).") % {"n": held, "tier": tier, "max": allowed})
    document = None
    if identity_document_id is not None:
        # reuse an identity copy already verified face to face, if the ID has not changed.
        document = Document.objects.filter(pk=identity_document_id, customer=customer,
                                           kind=DocumentKind.IDENTITY).first()
        if document is None:
            raise InvalidInput(_("The identity copy to reuse is not an identity document of this customer."),
                               field="identity_document_id")
    account = PersonalAccount(
        account_no=account_no, customer=customer, tier=tier, opened_on=opened, channel=channel,
        bound_account_no=bound_account_no, bound_same_bank=bound_same_bank, bound_kind=bound_kind,
        identity_check=identity_check, identity_document=document, cross_sell_offered=(tier == "I"),
    )
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:

        raise Conflict(_("Account %(no)s already exists.") % {"no": account_no}, code="duplicate_account") from None
    audit_record(actor=actor, event_code=AccountsEvent.ACCOUNT_OPENED, object_type="personal_account",
                 object_id=account.pk, customer_id=customer.pk,
                 new={"account_no": account_no, "tier": tier, "opened_on": opened.isoformat(), "channel": channel,
                      "identity_check": identity_check, "bound_kind": bound_kind,
                      "identity_copy_reused": document is not None})
    return Opened(account=account, suggest_class2_3=(tier == "I"))


def _customer_for_account(*, actor, customer_id, id_number, name, org_code) -> Customer:
    if customer_id is not None:
        customer = customer_get(user=actor, customer_id=customer_id, perm=AccountsPerm.OPEN)
    else:
        cleaned = clean_resident_id(id_number or "")
        if cleaned is None:
            raise InvalidInput(_("The resident ID number is not valid."), field="id_number",
                               code="invalid_identifier")
        found = customer_by_id_number(cleaned)
        if found is not None:
            customer = customer_get(user=actor, customer_id=found.pk, perm=AccountsPerm.OPEN)
        else:
            customer = customer_create(actor=actor, kind=CustomerKind.INDIVIDUAL, name=name, id_number=cleaned,
                                       org_code=org_code)
    if customer.kind != CustomerKind.INDIVIDUAL:
        raise InvalidInput(_("Personal accounts belong to individual customers."), field="customer_id")
    return customer


# ----------------------------------------------------------------------------------------- postings


@dataclass(frozen=True)
class TxnInput:
    txn_id: str
    account_no: str
    posted_at: datetime
    direction: str
    type: str
    amount: int  # fen

    @property
    def day(self) -> date:
        return rules.local_day(self.posted_at)


def parse_txn(*, txn_id: Any, account_no: Any, posted_at: Any, direction: Any, type: Any, amount: Any) -> TxnInput:
    """Validate one transaction as the CSV and the API give it."""
    txn_id = text(txn_id, "txn_id", max_length=64, required=True)
    account_no = text(account_no, "account_no", max_length=40, required=True)
    txn_type = choice(type, "type", list(TxnType.values))
    direction = choice(direction, "direction", ["in", "out"])
    if rules.DIRECTION_OF[txn_type] != direction:
        raise InvalidInput(_("A %(type)s transaction goes %(dir)s.") % {"type": txn_type,
                                                                       "dir": rules.DIRECTION_OF[txn_type]},
                           field="direction", code="direction_mismatch")
    if isinstance(posted_at, datetime):
        moment = posted_at
        if moment.tzinfo is None:
            raise InvalidInput(_("The time needs an offset, e.g. 2026-01-05T09:30:00+08:00."), field="posted_at")
        if not 1900 <= moment.year <= 9000:
            raise InvalidInput(_("The time must be ISO 8601 with an offset, e.g. 2026-01-05T09:30:00+08:00."),
                               field="posted_at")
    else:
        try:
            moment = rules.parse_posted_at(str(posted_at or ""))
        except ValueError:
            raise InvalidInput(_("The time must be ISO 8601 with an offset, e.g. 2026-01-05T09:30:00+08:00."),
                               field="posted_at") from None
    if isinstance(amount, float):
        raise InvalidInput(_("The amount must be a positive decimal with at most two decimals."), field="amount")
    try:
        fen = rules.amount_to_fen(str(amount if amount is not None else ""))
    except ValueError:
        raise InvalidInput(_("The amount must be a positive decimal with at most two decimals."),
                           field="amount") from None
    if fen > 10**15:
        raise InvalidInput(_("The amount is too large."), field="amount")
    return TxnInput(txn_id, account_no, moment, direction, txn_type, fen)


@dataclass
class CheckResult:
    allowed: bool
    violations: list[rules.Violation]
    counters: rules.Counters
    limits: rules.Limits
    room: dict[str, int]
    suspended: bool = False


def _before(account: PersonalAccount, txn: TxnInput, *, gate: bool) -> rules.Counters:
    """The account's counters before this transaction.

    Monitoring (the transaction happened): over the transactions ordered before it by posted_at, then
    txn_id — the order the ingest applies. Gate (it is about to happen): over everything already counted in
    its day and year, whatever their times, so that no posting can slip under a limit another one used."""
    bucket = rules.bucket_of(account.tier, txn.type)
    earlier = AccountTransaction.objects.filter(account=account)
    if not gate:
        earlier = earlier.filter(Q(posted_at__lt=txn.posted_at) | Q(posted_at=txn.posted_at, txn_id__lt=txn.txn_id))
    if not bucket and account.tier != "III":
        return rules.Counters()
    # One query: the bucket's year and day, and the signed sum (the Class III balance).
    in_year = Q(bucket=bucket or "-", local_year=txn.day.year)
    sums = earlier.aggregate(
        year=Sum("amount_fen", filter=in_year),
        day=Sum("amount_fen", filter=in_year & Q(local_day=txn.day)),
        ins=Sum("amount_fen", filter=Q(direction="in")),
        outs=Sum("amount_fen", filter=Q(direction="out")),
    )
    day_used, year_used = int(sums["day"] or 0), int(sums["year"] or 0)
    balance = int(sums["ins"] or 0) - int(sums["outs"] or 0) if account.tier == "III" else 0
    return rules.Counters(day=day_used, year=year_used, balance=balance)


def _evaluate(account: PersonalAccount, txn: TxnInput, *, gate: bool, known: tuple | None = None) -> CheckResult:
    if txn.day < account.opened_on:
        raise InvalidInput(_("The transaction is dated before the account was opened."), field="posted_at",
                           code="before_opening")
    if known is None:
        counters, values = _before(account, txn, gate=gate), values_on(txn.day)
        suspended = account.tier == "III" and class3_suspended(account.customer_id, txn.day,
                                                               action=values["acct.overdue_action"])
    else:  # from _gate_snapshot
        counters, values, task_due = known
        suspended = (account.tier == "III" and values["acct.overdue_action"] == "suspend" and task_due is not None
                     and rules.is_overdue(due=task_due, today=txn.day))
    limits = limits_from(values)
    violations = rules.check(tier=account.tier, txn_type=txn.type, amount=txn.amount,
                             face_to_face=account.face_to_face, counters=counters, limits=limits)
    return CheckResult(allowed=not violations and not suspended, violations=violations, counters=counters,
                       limits=limits, suspended=suspended,
                       room=rules.room(tier=account.tier, txn_type=txn.type, counters=counters, limits=limits))


_GATE_CODES = [*LIMIT_PARAMS.values(), "acct.overdue_action"]


def _gate_sql() -> str:
    """The gate check's one statement (built once; table names from the models)."""
    account, txn, task = (PersonalAccount._meta.db_table, AccountTransaction._meta.db_table,
                          RemediationTask._meta.db_table)
    customer, param = Customer._meta.db_table, RuleParameter._meta.db_table
    # The parameter rows in force on the day (usually none: the defaults apply), newest first, as
    # core.params.get_param resolves them; a join rather than a subquery per code keeps the planning short.
    codes = ", ".join(f"'{code}'" for code in _GATE_CODES)
    # Each transaction row carries its account's tier, so the bucket of either tier can be asked before the
    # tier is known; in gate mode everything already counted in the day and year counts, whatever its time.
    counted = "((t.tier = 'II' AND t.bucket = %(b2)s) OR (t.tier = 'III' AND t.bucket = %(b3)s))"
    return f"""
        SELECT a.id, a.tier, a.customer_id, a.opened_on, a.identity_check, c.org_path, c.manager_id,
               s.c_year, s.c_day, s.c_balance,
               (SELECT r.due_date FROM {task} r WHERE r.customer_id = a.customer_id AND r.status = 'open'
                LIMIT 1),
               p.code, p.value
        FROM {account} a JOIN {customer} c ON c.id = a.customer_id
        LEFT JOIN {param} p ON p.code IN ({codes}) AND p.status = 'approved' AND p.effective_from <= %(day)s
             AND (p.effective_to IS NULL OR p.effective_to >= %(day)s)
        CROSS JOIN (SELECT SUM(CASE WHEN {counted} AND t.local_year = %(year)s THEN t.amount_fen ELSE 0 END) AS c_year,
                           SUM(CASE WHEN {counted} AND t.local_day = %(day)s THEN t.amount_fen ELSE 0 END) AS c_day,
                           SUM(CASE WHEN t.direction = 'in' THEN t.amount_fen ELSE -t.amount_fen END) AS c_balance
                    FROM {txn} t
                    WHERE t.account_id = (SELECT x.id FROM {account} x WHERE x.account_no = %(no)s)) s
        WHERE a.account_no = %(no)s
        ORDER BY p.effective_from DESC, p.approved_at DESC"""


_GATE_SQL: list[str] = []


def _gate_snapshot(*, actor: User | None, txn: TxnInput) -> tuple[PersonalAccount, rules.Counters, dict, Any]:
    """One statement for a gate check: the account with its holder's branch (for the caller's scope), its
    counters over everything already counted in the transaction's day and year, the Class III balance, the
    person's open remediation task's due date and the acct.* parameters in force that day. The same values
    as account_get, _before(gate=True), values_on and class3_suspended, which take five statements (and
    the ORM's query building cost more than the database)."""

    if not _GATE_SQL:
        _GATE_SQL.append(_gate_sql())
    day = txn.day
    args = {"day": day, "year": day.year, "no": txn.account_no, "b2": rules.bucket_of("II", txn.type) or "-",
            "b3": rules.bucket_of("III", txn.type) or "-"}
    with connection.cursor() as cursor:
        cursor.execute(_GATE_SQL[0], args)
        rows = cursor.fetchall()
    row = rows[0] if rows else None
    if actor is not None:
        access = access_for(actor)
        if not access.has(AccountsPerm.VIEW):
            raise PermissionDenied()
        if row is not None and not access.reaches(AccountsPerm.VIEW, org_path=row[5], owner_id=row[6]):
            row = None
    if row is None:
        raise NotFound()
    opened_on = row[3] if isinstance(row[3], date) else date.fromisoformat(row[3])
    account = PersonalAccount(id=row[0], account_no=txn.account_no, tier=row[1], customer_id=row[2],
                              opened_on=opened_on, identity_check=row[4])
    decode = RuleParameter._meta.get_field("value").from_db_value
    values = {spec.code: spec.default for spec in ACCT_PARAMS}
    seen = set()
    for code, raw in (r[11:13] for r in rows):  # newest first: the first row of a code is the one in force
        if code is not None and code not in seen:
            seen.add(code)
            values[code] = decode(raw, None, connection)
    limited = bool(rules.bucket_of(account.tier, txn.type))
    counters = rules.Counters(day=int(row[8] or 0) if limited else 0, year=int(row[7] or 0) if limited else 0,
                              balance=int(row[9] or 0) if account.tier == "III" else 0)
    task_due = row[10] if row[10] is None or isinstance(row[10], date) else date.fromisoformat(row[10])
    return account, counters, values, task_due


def transaction_check(*, actor: User | None, txn: TxnInput) -> CheckResult:
    """Gate mode's question: would this transaction be allowed? Reads only, in one statement."""
    account, counters, values, task_due = _gate_snapshot(actor=actor, txn=txn)
    return _evaluate(account, txn, gate=True, known=(counters, values, task_due))


@dataclass
class Posted:
    txn: AccountTransaction
    created: bool
    breaches: list[str]
    task: RemediationTask | None


@transaction.atomic
def transaction_post(*, actor: User | None, txn: TxnInput, mode: str | None = None) -> Posted:
    """Post a transaction. Monitoring mode counts it and records the rules it broke; gate mode refuses it
    (409, nothing written) when it would break one. Idempotent by ``txn_id``."""

    account = account_get(user=actor, account_no=txn.account_no, perm=AccountsPerm.POST)
    mode = mode or str(get_param("acct.mode", on=txn.day))
    _lock_customer(account.customer_id)
    account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
    existing = AccountTransaction.objects.filter(txn_id=txn.txn_id).first()
    if existing is not None:
        same = (existing.account_id == account.pk and existing.posted_at == txn.posted_at and
                existing.direction == txn.direction and existing.type == txn.type and existing.amount_fen == txn.amount)
        if not same:
            raise TxnConflict()
        return Posted(txn=existing, created=False, breaches=list(existing.breaches.values_list("rule", flat=True)),
                      task=None)
    if mode == "gate":
        # Under the locks: the counters and parameters in one statement, as a check reads them.
        counters, values, task_due = _gate_snapshot(actor=None, txn=txn)[1:]
        result = _evaluate(account, txn, gate=True, known=(counters, values, task_due))
    else:
        result = _evaluate(account, txn, gate=False)
    if mode == "gate" and not result.allowed:
        if result.suspended:
            raise Class3Suspended()
        raise PostingRefused(_("Refused by %(rules)s.") % {"rules": ", ".join(v.rule for v in result.violations)},
                             violations=result.violations)
    row = AccountTransaction.objects.create(
        txn_id=txn.txn_id, account=account, customer_id_copy=account.customer_id, tier=account.tier,
        posted_at=txn.posted_at, local_day=txn.day, local_year=txn.day.year, direction=txn.direction,
        type=txn.type, amount_fen=txn.amount, bucket=rules.bucket_of(account.tier, txn.type))
    if account.tier == "III":
        account.balance_fen += rules.signed(txn.direction, txn.amount)
        account.save(update_fields=["balance_fen"])
    breaches = [v.rule for v in result.violations]
    Breach.objects.bulk_create([Breach(txn=row, account=account, rule=rule, local_day=txn.day) for rule in breaches])
    task = None
    if account.tier == "III":
        task = _maybe_trigger(actor=actor, account=account, row=row)
    audit_record(actor=actor, event_code=AccountsEvent.TRANSACTION_POSTED, object_type="account_transaction",
                 object_id=row.pk, customer_id=account.customer_id,
                 new={"txn_id": row.txn_id, "account_no": account.account_no, "type": row.type,
                      "amount": str(row.amount), "mode": mode, "breaches": breaches})
    return Posted(txn=row, created=True, breaches=breaches, task=task)


def _maybe_trigger(*, actor, account: PersonalAccount, row: AccountTransaction) -> RemediationTask | None:
    """16号 一(五): the first transaction at which the person's Class III two-way total reaches ¥50,000."""
    if RemediationTask.objects.filter(customer_id=account.customer_id).exists():
        return None
    before = int(AccountTransaction.objects.filter(customer_id_copy=account.customer_id, tier="III").filter(
        Q(posted_at__lt=row.posted_at) | Q(posted_at=row.posted_at, txn_id__lt=row.txn_id))
        .aggregate(s=Sum("amount_fen"))["s"] or 0)
    threshold = trigger_threshold(row.local_day)
    if not rules.trigger_reached(total_before=before, amount=row.amount_fen, threshold=threshold):
        return None
    return task_create(actor=actor, customer_id=account.customer_id, row=row, total=before + row.amount_fen)


def task_create(*, actor, customer_id: int, row: AccountTransaction, total: int) -> RemediationTask:
    days = int(get_param("acct.class3_kyc_due_days", on=row.local_day))
    task = RemediationTask.objects.create(customer_id=customer_id, trigger_txn=row, trigger_date=row.local_day,
                                          total_fen=total, due_date=rules.due_date(row.local_day, days))
    audit_record(actor=actor, event_code=AccountsEvent.REMEDIATION_CREATED, object_type="remediation_task",
                 object_id=task.pk, customer_id=customer_id,
                 new={"trigger_txn_id": row.txn_id, "trigger_date": task.trigger_date.isoformat(),
                      "due_date": task.due_date.isoformat(), "total": str(rules.fen_to_amount(total))})
    return task


# ----------------------------------------------------------------------------------------- remediation


@transaction.atomic
def remediation_complete(
    *, actor: User | None, task_id: int, id_file: bytes, id_filename: str, id_content_type: str = "",
    occupation: str, address: str, id_expires_on: Any, today: date | None = None,
) -> RemediationTask:
    """Record what 16号 一(五) asks for: a valid ID (its copy kept as an encrypted archive document), the
    occupation, the home or work address and the ID's expiry. Ends a suspension."""

    today = today or timezone.localdate()
    task = tasks_visible_to(actor, AccountsPerm.REMEDIATE).select_for_update(of=("self",)) \
        .filter(pk=task_id).first() if connection.vendor == "postgresql" else \
        tasks_visible_to(actor, AccountsPerm.REMEDIATE).filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    if task.status != TaskStatus.OPEN:

        raise InvalidTransition(_("The task is already done."))
    expires = day(id_expires_on, "id_expires_on", required=True)
    if expires < today:
        raise InvalidInput(_("The ID has expired; a valid ID is required."), field="id_expires_on",
                           code="id_expired")
    occupation = text(occupation, "occupation", max_length=100, required=True)
    address = text(address, "address", max_length=300, required=True)
    document = document_upload(actor=actor, customer_id=task.customer_id, kind=DocumentKind.IDENTITY,
                               title=_("ID copy (Class III remediation)"), filename=id_filename or "id",
                               content_type=id_content_type, data=id_file)
    customer_update(actor=actor, customer_id=task.customer_id,
                    changes={"occupation": occupation, "address": address})
    task.status = TaskStatus.DONE
    task.id_document = document
    task.id_expires_on = expires
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["status", "id_document", "id_expires_on", "done_at", "done_by"])
    audit_record(actor=actor, event_code=AccountsEvent.REMEDIATION_DONE, object_type="remediation_task",
                 object_id=task.pk, customer_id=task.customer_id,
                 new={"id_expires_on": expires.isoformat(), "document_id": document.pk,
                      "id_number": mask_id_number(task.customer.id_number or "")})
    return task
