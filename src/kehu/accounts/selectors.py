"""Scoped reads of personal accounts, their counters and the remediation tasks.

An account or task is visible through its customer: the caller's org subtree, and for a customer manager
limited to own customers, only the customers they manage. Outside the scope it does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet, Sum

from kehu.accounts import rules
from kehu.accounts.models import AccountTransaction, Breach, PersonalAccount, RemediationTask, TaskStatus
from kehu.accounts.params import limits_for
from kehu.accounts.permissions import AccountsPerm
from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.rules import mask_id_number
from kehu.core.selectors import access_for


def _scope(user: User | None, perm: str) -> Q:
    if user is None:
        return Q()
    access = access_for(user)
    if not access.has(perm):
        raise PermissionDenied()
    return access.scope_q(perm, org_path_field="customer__org_path", owner_field="customer__manager_id")


def accounts_visible_to(user: User | None, perm: str = AccountsPerm.VIEW) -> QuerySet[PersonalAccount]:
    return PersonalAccount.objects.select_related("customer").filter(_scope(user, perm))


def account_get(*, user: User | None, account_no: str, perm: str = AccountsPerm.VIEW) -> PersonalAccount:
    # Without select_related: loading the customer decrypts its personal fields, which a gate check
    # (thousands a second) does not need; pages that show the holder load it on access.
    found = PersonalAccount.objects.filter(_scope(user, perm), account_no=account_no).first()
    if found is None:
        raise NotFound()
    return found


def tasks_visible_to(user: User | None, perm: str = AccountsPerm.VIEW) -> QuerySet[RemediationTask]:
    return RemediationTask.objects.select_related("customer", "trigger_txn").filter(_scope(user, perm))


def breaches_visible_to(user: User | None) -> QuerySet[Breach]:
    scope = _scope(user, AccountsPerm.VIEW)
    if user is not None:
        access = access_for(user)
        scope = access.scope_q(AccountsPerm.VIEW, org_path_field="account__customer__org_path",
                               owner_field="account__customer__manager_id")
    return Breach.objects.select_related("txn", "account").filter(scope)


@dataclass(frozen=True)
class Usage:
    rule: str
    used: int  # fen
    limit: int

    @property
    def used_amount(self):
        return rules.fen_to_amount(self.used)

    @property
    def limit_amount(self):
        return rules.fen_to_amount(self.limit)

    @property
    def remaining_amount(self):
        return rules.fen_to_amount(max(0, self.limit - self.used))

    @property
    def percent(self) -> int:
        return min(100, int(self.used * 100 / self.limit)) if self.limit else 100


def account_usage(account: PersonalAccount, today: date) -> list[Usage]:
    """What the account has used of each of its counters today and this year (Asia/Shanghai)."""
    if account.tier == "I":
        return []
    limits = limits_for(today)
    prefix = "class2_" if account.tier == "II" else "class3_"
    sums = {}
    base = AccountTransaction.objects.filter(account=account).exclude(bucket="")
    for row in base.filter(local_year=today.year).values("bucket").annotate(total=Sum("amount_fen")):
        sums[(row["bucket"], "year")] = row["total"]
    for row in base.filter(local_day=today).values("bucket").annotate(total=Sum("amount_fen")):
        sums[(row["bucket"], "day")] = row["total"]
    out = []
    for bucket in ("in", "out"):
        for period in ("day", "year"):
            rule = f"{prefix}{bucket}_{period}"
            out.append(Usage(rule, int(sums.get((bucket, period)) or 0), getattr(limits, rule)))
    if account.tier == "III":
        out.append(Usage("class3_balance", account.balance_fen, limits.class3_balance))
    return out


def class3_total(customer_id: int) -> int:
    """The person's two-way total across all their Class III accounts (fen), 16号 一(五)."""
    return int(AccountTransaction.objects.filter(customer_id_copy=customer_id, tier="III")
               .aggregate(total=Sum("amount_fen"))["total"] or 0)


def trigger_threshold(day: date) -> int:
    return rules.amount_to_fen(str(get_param("acct.class3_kyc_trigger_cumulative", on=day)))


def overdue_tasks(queryset: QuerySet[RemediationTask], today: date) -> QuerySet[RemediationTask]:
    return queryset.filter(status=TaskStatus.OPEN, due_date__lt=today)


def class3_suspended(customer_id: int, today: date, *, action: str | None = None) -> bool:
    """Class III business is suspended while the person's remediation task is overdue (parameter)."""
    if (action or get_param("acct.overdue_action", on=today)) != "suspend":
        return False
    task = RemediationTask.objects.filter(customer_id=customer_id, status=TaskStatus.OPEN).first()
    return task is not None and rules.is_overdue(due=task.due_date, today=today)


def masked_id(customer) -> str:
    return mask_id_number(customer.id_number or "")
