"""Shared plumbing of the trade-credit services: scope, locks, input parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.errors import InvalidInput, NotFound
from kehu.core.inputs import day as parse_day
from kehu.core.inputs import text
from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.customers.models import Customer
from kehu.tradecredit import rules
from kehu.tradecredit.models import CreditAccount
from kehu.tradecredit.permissions import AUTHORITY_ROLES, TradeCreditPerm


def actor_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def check_customer_scope(actor: User | None, customer: Customer, perm: str) -> None:
    """404 when the customer is outside every trade-credit grant of the user, 403 when only ``perm`` is missing."""
    require(actor, perm, view=TradeCreditPerm.VIEW, org_path=customer.org_path, owner_id=customer.manager_id)


def customer_for(actor: User | None, customer_id: Any, perm: str) -> Customer:
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound()
    check_customer_scope(actor, customer, perm)
    return customer


def lock_account(customer_id: int, *, customer_locked: bool = False) -> CreditAccount:
    """The customer's credit account, locked for the rest of the transaction (created without a limit when
    missing). Every decision that reads exposure and then writes takes this lock first, so two orders, a
    receivable and a limit change for one customer are decided one after the other.

    Lock order: the customer row, then the account, then the audit chain head. The admission guard locks the
    customer row FOR UPDATE and PostgreSQL checks each new delivery's or invoice's foreign key to the customer
    (FOR KEY SHARE) at commit; a path that locked the account first and then inserted such a row could wait for
    an order that holds the customer and waits for the account. FOR NO KEY UPDATE queues behind the admission
    guard without blocking those key checks. ``customer_locked``: the caller holds the customer row already.
    (SQLite has no row locks: its IMMEDIATE transaction holds the database's write lock.)"""
    if not customer_locked and connection.features.has_select_for_update:
        Customer.objects.select_for_update(no_key=True).filter(pk=customer_id).values_list("pk", flat=True).first()
    account = CreditAccount.objects.select_for_update().filter(customer_id=customer_id).first()
    if account is None:
        # ignore_conflicts: a concurrent first order may create it at the same moment
        CreditAccount.objects.bulk_create([CreditAccount(customer_id=customer_id)], ignore_conflicts=True)
        account = CreditAccount.objects.select_for_update().get(customer_id=customer_id)
    return account


def release_authority_of(actor: User | None, customer: Customer) -> str:
    """The highest L-5 release authority the actor holds over the customer ('' for none)."""
    if actor is None:
        return ""
    access = access_for(actor)
    held = [g.role for g in access.grants_for(TradeCreditPerm.ORDER_RELEASE)
            if g.role in AUTHORITY_ROLES and customer.org_path.startswith(g.org_path)
            and (not g.own_only or customer.manager_id == actor.pk)]
    return max(held, key=rules.authority_rank, default="")


def required_day(value: Any, field: str) -> date:
    result = parse_day(value, field, required=True)
    assert result is not None
    return result


def optional_day(value: Any, field: str) -> date | None:
    return parse_day(value, field)


def note_text(value: Any, field: str = "note", *, required: bool = False, min_length: int = 2) -> str:
    result = text(value, field, max_length=500, required=required)
    if required and len(result) < min_length:
        raise InvalidInput(_("Give a reason of at least %(n)d characters.") % {"n": min_length}, field=field)
    return result


def cents(column: str) -> str:
    """SQL for an amount column as exact integer cents: SQLite keeps decimals as doubles, and a sum of
    doubles could make 0.1 + 0.2 exceed 0.3; integers add exactly on both databases."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return qn(model._meta.db_table)


def col(model, field: str) -> str:
    return qn(model._meta.get_field(field).column)


def from_cents(value: Any) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(rules.CENT)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
