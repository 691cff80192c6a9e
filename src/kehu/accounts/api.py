"""REST API of personal accounts: accounts, transactions, the gate check, breaches, remediation tasks.

Thin: parse, call one service or selector, present. ID numbers appear masked only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, StringConstraints

from kehu.accounts import rules, selectors, services
from kehu.accounts.exports import breach_rows
from kehu.accounts.models import PersonalAccount, RemediationTask, TaskStatus
from kehu.core.errors import InvalidInput

router = Router(tags=["accounts"])

Short = Annotated[str, StringConstraints(max_length=64)]
TxnType = Literal["inbound_nonbound", "cash_deposit", "consumption_payment", "outbound_nonbound", "cash_withdrawal",
                  "bound_in", "bound_out", "wealth_buy", "wealth_redeem", "loan_disburse", "loan_repay"]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class AccountIn(In):
    account_no: Annotated[str, StringConstraints(max_length=40)]
    tier: Literal["I", "II", "III"]
    opened_on: date
    channel: Literal["counter", "online", "direct_bank", "video_teller", "smart_teller"]
    identity_check: Literal["face_to_face", "certificate", "esignature", "five_elements"]
    customer_id: int | None = None
    id_number: Annotated[str, StringConstraints(max_length=18)] = ""
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    org_code: Annotated[str, StringConstraints(max_length=50)] | None = None
    bound_account_no: Annotated[str, StringConstraints(max_length=40)] = ""
    bound_same_bank: bool | None = None
    bound_kind: Literal["", "class1", "credit_card"] = ""
    identity_document_id: int | None = None


class UsageOut(Schema):
    rule: str
    used: str
    limit: str
    remaining: str


class AccountOut(Schema):
    account_no: str
    customer_id: int
    id_number_masked: str
    tier: str
    opened_on: date
    channel: str
    identity_check: str
    bound_account_no: str
    bound_kind: str
    balance: str | None
    cross_sell_offered: bool


class AccountDetailOut(AccountOut):
    usage: list[UsageOut]
    class3_total: str
    class3_threshold: str
    class3_suspended: bool


class OpenedOut(Schema):
    account: AccountOut
    suggest_class2_3: bool


class TxnIn(In):
    txn_id: Short
    account_no: Annotated[str, StringConstraints(max_length=40)]
    posted_at: datetime
    direction: Literal["in", "out"]
    type: TxnType
    amount: Annotated[str, StringConstraints(max_length=24)]


class ViolationOut(Schema):
    rule: str
    limit: str | None
    used: str
    remaining: str | None


class CheckOut(Schema):
    allowed: bool
    violations: list[ViolationOut]
    suspended: bool
    room: dict[str, str]


class PostedOut(Schema):
    txn_id: str
    created: bool
    breaches: list[str]
    task_id: int | None


class TxnOut(Schema):
    txn_id: str
    posted_at: datetime
    local_day: date
    direction: str
    type: str
    amount: str


class BreachOut(Schema):
    txn_id: str
    rule: str


class TaskOut(Schema):
    id: int
    customer_id: int
    id_number_masked: str
    trigger_txn_id: str
    trigger_date: date
    due_date: date
    total: str
    status: str
    overdue: bool


def _money(fen: int | None) -> str | None:
    return None if fen is None else str(rules.fen_to_amount(fen))


def _account(account: PersonalAccount) -> dict:
    return {"account_no": account.account_no, "customer_id": account.customer_id,
            "id_number_masked": selectors.masked_id(account.customer), "tier": account.tier,
            "opened_on": account.opened_on, "channel": account.channel, "identity_check": account.identity_check,
            "bound_account_no": account.bound_account_no, "bound_kind": account.bound_kind,
            "balance": _money(account.balance_fen) if account.tier == "III" else None,
            "cross_sell_offered": account.cross_sell_offered}


def _task(task: RemediationTask, today: date) -> dict:
    return {"id": task.pk, "customer_id": task.customer_id, "id_number_masked": selectors.masked_id(task.customer),
            "trigger_txn_id": task.trigger_txn.txn_id, "trigger_date": task.trigger_date, "due_date": task.due_date,
            "total": _money(task.total_fen), "status": task.status,
            "overdue": task.status == TaskStatus.OPEN and rules.is_overdue(due=task.due_date, today=today)}


def _txn(body: TxnIn) -> services.TxnInput:
    if body.posted_at.tzinfo is None:
        raise InvalidInput("posted_at needs an offset", field="posted_at")
    return services.parse_txn(txn_id=body.txn_id, account_no=body.account_no, posted_at=body.posted_at,
                              direction=body.direction, type=body.type, amount=body.amount)


@router.post("/accounts/accounts", response={201: OpenedOut}, summary="Open or record a personal account")
def account_open(request, body: AccountIn):
    opened = services.account_open(actor=request.auth, **body.dict())
    return Status(201, {"account": _account(opened.account), "suggest_class2_3": opened.suggest_class2_3})


@router.get("/accounts/accounts", response=list[AccountOut], summary="Personal accounts in your scope")
def account_list(request, customer_id: int | None = None, tier: Literal["I", "II", "III"] | None = None,
                 after: Short = "", limit: int = Query(100, ge=1, le=1000)):
    queryset = selectors.accounts_visible_to(request.auth).order_by("account_no")
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if tier:
        queryset = queryset.filter(tier=tier)
    if after:
        queryset = queryset.filter(account_no__gt=after)
    return [_account(a) for a in queryset[:limit]]


@router.get("/accounts/accounts/{account_no}", response=AccountDetailOut,
            summary="An account with its limits used today and this year")
def account_detail(request, account_no: str):
    account = selectors.account_get(user=request.auth, account_no=account_no)
    today = timezone.localdate()
    usage = [{"rule": u.rule, "used": str(u.used_amount), "limit": str(u.limit_amount),
              "remaining": str(u.remaining_amount)} for u in selectors.account_usage(account, today)]
    return {**_account(account), "usage": usage,
            "class3_total": _money(selectors.class3_total(account.customer_id)),
            "class3_threshold": _money(selectors.trigger_threshold(today)),
            "class3_suspended": selectors.class3_suspended(account.customer_id, today)}


@router.get("/accounts/accounts/{account_no}/transactions", response=list[TxnOut], summary="An account's transactions")
def account_transactions(request, account_no: str, limit: int = Query(100, ge=1, le=1000)):
    account = selectors.account_get(user=request.auth, account_no=account_no)
    rows = account.transactions.order_by("-posted_at", "-txn_id")[:limit]
    return [{"txn_id": t.txn_id, "posted_at": t.posted_at, "local_day": t.local_day, "direction": t.direction,
             "type": t.type, "amount": _money(t.amount_fen)} for t in rows]


@router.post("/accounts/transactions/check", response=CheckOut,
             summary="Gate mode: would this transaction be allowed? (nothing is written)")
def transaction_check(request, body: TxnIn):
    result = services.transaction_check(actor=request.auth, txn=_txn(body))
    return {"allowed": result.allowed, "suspended": result.suspended,
            "room": {rule: _money(fen) for rule, fen in result.room.items()},
            "violations": [{"rule": v.rule, "limit": _money(v.limit), "used": _money(v.used),
                            "remaining": _money(v.remaining)} for v in result.violations]}


@router.post("/accounts/transactions", response={201: PostedOut, 200: PostedOut},
             summary="Post a transaction (monitoring: counted with its breaches; gate: refused with 409 if it "
                     "breaks a rule)")
def transaction_post(request, body: TxnIn):
    posted = services.transaction_post(actor=request.auth, txn=_txn(body))
    out = {"txn_id": posted.txn.txn_id, "created": posted.created, "breaches": posted.breaches,
           "task_id": posted.task.pk if posted.task else None}
    return Status(201 if posted.created else 200, out)


@router.get("/accounts/breaches", response=list[BreachOut], summary="Breaches in your scope (txn_id, rule)")
def breach_list(request, after: Short = "", limit: int = Query(1000, ge=1, le=10000)):
    rows = []
    for txn_id, rule in breach_rows(user=request.auth):
        if after and txn_id <= after:
            continue
        rows.append({"txn_id": txn_id, "rule": rule})
        if len(rows) >= limit:
            break
    return rows


@router.get("/accounts/tasks", response=list[TaskOut], summary="Class III remediation tasks in your scope")
def task_list(request, state: Literal["open", "overdue", "done", "all"] = "open",
              limit: int = Query(200, ge=1, le=1000)):
    today = timezone.localdate()
    queryset = selectors.tasks_visible_to(request.auth).order_by("due_date", "pk")
    if state == "open":
        queryset = queryset.filter(status=TaskStatus.OPEN)
    elif state == "overdue":
        queryset = selectors.overdue_tasks(queryset, today)
    elif state == "done":
        queryset = queryset.filter(status=TaskStatus.DONE)
    return [_task(t, today) for t in queryset[:limit]]


@router.post("/accounts/tasks/{task_id}/complete", response=TaskOut,
             summary="Record the valid ID (copy), occupation, address and ID expiry")
def task_complete(request, task_id: int, id_file: File[UploadedFile], occupation: Form[str], address: Form[str],
                  id_expires_on: Form[date]):
    task = services.remediation_complete(actor=request.auth, task_id=task_id, id_file=id_file.read(),
                                         id_filename=id_file.name or "id", id_content_type=id_file.content_type or "",
                                         occupation=occupation, address=address, id_expires_on=id_expires_on)
    return _task(task, timezone.localdate())
