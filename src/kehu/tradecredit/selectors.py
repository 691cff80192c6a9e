"""Reads of trade credit for people (pages, API), in the caller's org-unit scope: a customer, order or limit
change outside it does not exist (404). The facts' reads are in ``selectors.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kehu.core.errors import NotFound
from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.customers.models import Customer
from kehu.trade.models import OrderStatus, SalesOrder
from kehu.tradecredit import rules
from kehu.tradecredit.models import ChangeStatus, CreditAccount, CreditLimit, LimitChange
from kehu.tradecredit.permissions import TradeCreditPerm
from kehu.tradecredit.services._common import customer_for, release_authority_of
from kehu.tradecredit.services.exposure import Exposure, credit_check, exposure_of

OPEN_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.CREDIT_HOLD, OrderStatus.SHIPPED)


def _scope(user: User | None, prefix: str):
    if user is None:
        return None
    return access_for(user).scope_q(TradeCreditPerm.VIEW, org_path_field=f"{prefix}org_path",
                                    owner_field=f"{prefix}manager_id")


@dataclass
class CustomerCredit:
    customer: Customer
    account: CreditAccount
    current: CreditLimit | None
    history: list[CreditLimit]
    pending: LimitChange | None
    exposure: Exposure
    open_orders: list[SalesOrder]

    @property
    def available(self):
        return max(rules.ZERO, self.account.limit_amount - self.exposure.total)

    @property
    def used_ratio(self):
        if self.account.limit_amount <= 0:
            return None
        return self.exposure.total / self.account.limit_amount


def customer_credit(*, user: User | None, customer_id: Any, history: int = 24) -> CustomerCredit:
    """A customer's limit, its basis and history, the pending change, the exposure breakdown, open orders."""
    customer = customer_for(user, customer_id, TradeCreditPerm.VIEW)
    account = CreditAccount.objects.filter(customer=customer).first() or CreditAccount(customer=customer)
    limits = list(CreditLimit.objects.filter(account_id=account.pk).select_related("approved_by")
                  .order_by("-valid_from", "-id")[:history]) if account.pk else []
    current = next((x for x in limits if x.valid_to is None), None)
    pending = (LimitChange.objects.filter(account_id=account.pk, status=ChangeStatus.PENDING)
               .select_related("requested_by").first() if account.pk else None)
    orders = list(SalesOrder.objects.filter(customer=customer, status__in=OPEN_STATUSES).order_by("-id")[:50])
    return CustomerCredit(customer=customer, account=account, current=current, history=limits, pending=pending,
                          exposure=exposure_of(customer.pk), open_orders=orders)


def order_list(*, user: User | None, status: str = "", customer_id: int | None = None, before: int | None = None,
               limit: int = 50) -> tuple[list[SalesOrder], int | None]:
    """Orders in the user's scope, newest first, keyset-paged by id."""
    rows = SalesOrder.objects.select_related("customer")
    scope = _scope(user, "customer__")
    if scope is not None:
        rows = rows.filter(scope)
    if status:
        rows = rows.filter(status=status)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if before:
        rows = rows.filter(pk__lt=before)
    items = list(rows.order_by("-id")[:limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].pk if more and items else None)


def order_get(*, user: User | None, order_id: Any) -> SalesOrder:
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    order = SalesOrder.objects.select_related("customer", "created_by", "decided_by").filter(pk=pk).first()
    if order is None:
        raise NotFound()
    customer_for(user, order.customer_id, TradeCreditPerm.VIEW)
    return order


@dataclass
class HoldView:
    """What a held order's release needs now and whether this user may give it."""

    authority: str
    figures: dict
    reasons: list[str]
    user_authority: str
    may_release: bool


def hold_view(*, user: User | None, order: SalesOrder) -> HoldView | None:
    if order.status != OrderStatus.CREDIT_HOLD:
        return None
    account = CreditAccount.objects.filter(customer_id=order.customer_id).first() or CreditAccount(
        customer_id=order.customer_id)
    check = credit_check(account, order.amount)
    mine = release_authority_of(user, order.customer)
    return HoldView(authority=check.authority, figures=check.figures, reasons=check.reasons, user_authority=mine,
                    may_release=bool(mine) and rules.may_release([mine], check.authority))


def order_history(order: SalesOrder):
    return order.status_changes.select_related("actor").order_by("id")


def limit_changes(*, user: User | None, status: str = ChangeStatus.PENDING, limit: int = 200) -> QuerySet:
    rows = LimitChange.objects.select_related("account__customer", "requested_by", "decided_by")
    scope = _scope(user, "account__customer__")
    if scope is not None:
        rows = rows.filter(scope)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-id")[:limit]
