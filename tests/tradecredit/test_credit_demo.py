"""The trade-credit demo loader on a small world: it approves all but a few recalculated increases, places
orders that fit and orders that are held (one per release authority), and runs once."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from tests.tradecredit.credit_world import give_sales, grade

from kehu.core import services as core_services
from kehu.trade.models import Invoice, SalesOrder
from kehu.tradecredit import services
from kehu.tradecredit.demo import load_demo_trade_credit
from kehu.tradecredit.models import LimitChange


def test_demo_leaves_holds_and_pending_increases_and_runs_once(cw):
    core_services.user_create(username="bj_cm1", org_code="BJ", roles=["customer_manager"], password="Kehu-Demo-2026",
                              actor=None)
    firms = [cw.admit(cw.enterprise()) for _ in range(8)]
    today = timezone.localdate()
    for i, firm in enumerate(firms):
        give_sales(firm, [200000 + 10000 * i] * 12, period=today.replace(day=1))
        grade(firm, "AB"[i % 2], period=today.replace(day=1))
    Invoice.objects.create(customer=firms[0], reference="OLD-1", issued_on=today - timedelta(days=60),
                           due_on=today - timedelta(days=30), amount=Decimal("5000.00"))
    services.credit_limits_recalculate(actor=cw.hq_office, period=today.replace(day=1))
    assert LimitChange.objects.filter(status="pending").count() == 8
    result = load_demo_trade_credit(random.Random(3))
    assert result["created"] and result["pending"] == 3 and result["approved"] == 5
    assert LimitChange.objects.filter(status="pending").count() == 3
    held = SalesOrder.objects.filter(status="credit_hold")
    assert held.exists() and result["held"] == held.count()
    assert SalesOrder.objects.filter(status="invoiced").count() == 1
    assert load_demo_trade_credit(random.Random(3)) == {"created": False}
