"""Fixtures of the trade-credit tests: the shared world plus sales, finance and general managers, and
helpers that grade a customer and give it sales history without running the whole grading pipeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kehu.core import services as core_services
from kehu.grading.models import GradeResult
from kehu.trade.models import SalesRecord
from kehu.tradecredit.models import CreditAccount

PASSWORD = "Kehu-test-2026"
P = date(2026, 10, 1)  # the grading period of the tests: sales of 2025-10 .. 2026-09 count


def add_credit_users(world) -> None:
    for name, org, role in (
        ("bj_sm", "BJ", "sales_manager"), ("sh_sm", "SH", "sales_manager"),
        ("bj_fm", "BJ", "finance_manager"), ("hq_fm", "HQ", "finance_manager"), ("hq_fm2", "HQ", "finance_manager"),
        ("hq_gm", "HQ", "general_manager"), ("bj_fo", "BJ", "finance_officer"), ("hq_office", "HQ", "customer_office"),
    ):
        if name not in world.users:
            world.users[name] = core_services.user_create(username=name, org_code=org, roles=[role],
                                                          password=PASSWORD, actor=None)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cw(world):
    add_credit_users(world)
    return world


@pytest.fixture
def ctw(tworld):
    add_credit_users(tworld)
    return tworld


def months_before(period: date, n: int) -> date:
    index = period.year * 12 + period.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def give_sales(customer, amounts, *, period: date = P) -> None:
    """Monthly sales in the months just before ``period`` (the last amount is the month before it)."""
    rows = []
    for back, amount in enumerate(reversed(list(amounts)), start=1):
        if amount is None:
            continue
        month = months_before(period, back)
        rows.append(SalesRecord(customer_id=customer.pk, period=month, amount=Decimal(str(amount)),
                                reference=f"S-{customer.pk}-{month:%Y%m}-{len(rows)}"))
    SalesRecord.objects.bulk_create(rows)


def grade(customer, letter: str, *, period: date = P) -> GradeResult:
    """A grade result as the grading run would write it (only the grade matters to trade credit)."""
    customer_id = customer if isinstance(customer, int) else customer.pk
    path = customer.org_path if not isinstance(customer, int) else "/"
    zero = Decimal(0)
    return GradeResult.objects.create(
        period=period, customer_id=customer_id, org_path=path, policy_version=1, raw_volume=zero,
        raw_overdue_days=0, raw_licence_ok=True, raw_sued=False, raw_archive_complete=True, raw_disqualified=False,
        weight_volume=30, weight_fulfilment=25, weight_payment=30, weight_operating=15, score_volume=zero,
        score_fulfilment=zero, score_payment=zero, score_operating=zero, total_score=zero, computed_grade=letter,
        grade=letter)


def set_limit(customer, amount, term: int = 30) -> CreditAccount:
    """Put a limit in force directly (what an approved increase leaves behind)."""
    from kehu.tradecredit.models import CreditLimit

    account, _ = CreditAccount.objects.get_or_create(customer_id=customer.pk)
    CreditLimit.objects.filter(account=account, valid_to__isnull=True).update(valid_to=date(2026, 1, 1))
    CreditLimit.objects.create(account=account, amount=Decimal(str(amount)), term_days=term, grade="B",
                               rule_version="test", valid_from=date(2026, 1, 1))
    account.limit_amount, account.term_days = Decimal(str(amount)), term
    account.save()
    return account
