"""Demo trade credit, loaded after the trade facts and the grading demo.

The grading demo's runs recalculated every graded customer's limit when they closed (L-6); since no customer
had a limit before, each one with credit got a pending increase. Here a finance manager approves all but a
few of them (those stay pending to show the approval page), and the branch customer managers place orders:
some that fit, some over the limit that go on credit hold (one for each release authority when the data
allows), and one for a customer with an invoice overdue beyond grace. One accepted order is shipped and
invoiced, one held order is released by the finance manager, so every page has something to show.
``load_demo_trade_credit(rng)`` runs once: a second call finds its orders and changes nothing."""

from __future__ import annotations

import random
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.models import OrgUnit, User
from kehu.customers.demo import DEMO_PASSWORD
from kehu.customers.rules import TRADABLE
from kehu.trade.models import SalesOrder
from kehu.tradecredit import services as credit
from kehu.tradecredit.models import ChangeStatus, CreditAccount, LimitChange
from kehu.tradecredit.services.exposure import exposure_of

CREDIT_LOGINS = [("bj_sales_mgr", "BJ", "sales_manager"), ("hy_sales_mgr", "HY", "sales_manager"),
                 ("hq_finance_mgr", "HQ", "finance_manager"), ("hq_gm", "HQ", "general_manager")]
KEEP_PENDING = 3
PREFIX = "XSDD-"  # 销售订单


def _user(username: str, org: str, role: str) -> User | None:
    user = User.objects.filter(username=username).first()
    if user is None and OrgUnit.objects.filter(code=org).exists():
        user = core_services.user_create(username=username, org_code=org, roles=[role], password=DEMO_PASSWORD,
                                         actor=None)
    return user


def _round(amount: Decimal) -> Decimal:
    return (amount / 100).quantize(Decimal(1), rounding=ROUND_DOWN) * 100


def load_demo_trade_credit(rng: random.Random) -> dict:
    if not OrgUnit.objects.filter(code="HQ").exists():
        return {"created": False, "reason": "load the customers demo first"}
    if SalesOrder.objects.filter(number__startswith=PREFIX).exists():
        return {"created": False}
    users = {name: _user(name, org, role) for name, org, role in CREDIT_LOGINS}
    finance = users["hq_finance_mgr"]
    pending = list(LimitChange.objects.filter(status=ChangeStatus.PENDING).select_related("account__customer")
                   .order_by("pk"))
    if not pending:
        return {"created": False, "reason": "no recalculated limits (run the trade and grading demos first)"}
    keep = set(c.pk for c in rng.sample(pending, min(KEEP_PENDING, len(pending))))
    approved = 0
    for change in pending:
        if change.pk in keep:
            continue
        credit.limit_change_approve(actor=finance, change_id=change.pk, note="演示：按月度重算结果批准")
        approved += 1
    accounts = list(CreditAccount.objects.filter(limit_amount__gt=0, customer__admission_status__in=TRADABLE)
                    .select_related("customer__org_unit").order_by("customer_id"))
    sellers = {"BJ": User.objects.filter(username="bj_cm1").first(), "HY": User.objects.filter(
        username="hy_cm1").first()}
    counts = {"approved": approved, "pending": len(keep), "accepted": 0, "held": 0}
    number = 0
    # (excess over the limit as a share of it: within 10, 30 and above 30 per cent)
    wanted_holds = [Decimal("0.05"), Decimal("0.2"), Decimal("0.6")]
    fits_placed = overdue_placed = False
    first_accepted = first_held = None
    rng.shuffle(accounts)
    for account in accounts:
        customer = account.customer
        branch = "HY" if customer.org_unit.code.upper().startswith("HY") else "BJ"
        seller = sellers.get(branch)
        if seller is None:
            continue
        figures = exposure_of(customer.pk)
        room = account.limit_amount - figures.total
        amount = None
        if figures.overdue_invoices and not overdue_placed:
            amount, overdue_placed = (_round(room / 4) if room > 4000 else Decimal(1000)), True
        elif room > 1000 and not fits_placed and not figures.overdue_invoices:
            amount, fits_placed = _round(room / 3), True
        elif wanted_holds and not figures.overdue_invoices:
            share = wanted_holds.pop(0)
            amount = _round(account.limit_amount * (1 + share) - figures.total) + 100
        if amount is None or amount <= 0:
            continue
        number += 1
        order = credit.order_place(actor=seller, customer_id=customer.pk, number=f"{PREFIX}{number:04d}",
                                   amount=amount, ordered_on=timezone.localdate(), channel="demo")
        if order.status == "accepted":
            counts["accepted"] += 1
            first_accepted = first_accepted or order
        else:
            counts["held"] += 1
            if order.release_authority == "finance_manager" and first_held is None:
                first_held = order
        if fits_placed and overdue_placed and not wanted_holds:
            break
    if first_accepted is not None:
        seller = first_accepted.created_by
        credit.order_ship(actor=seller, order_id=first_accepted.pk, channel="demo")
        cashier = User.objects.filter(username=("hy" if seller.username.startswith("hy") else "bj")
                                      + "_finance").first() or finance
        credit.order_invoice(actor=cashier, order_id=first_accepted.pk, reference=f"FP-{first_accepted.number}",
                             channel="demo")
    if first_held is not None and counts["held"] > 1:
        credit.order_release(actor=finance, order_id=first_held.pk, note="演示：老客户，回款记录良好，同意放行")
        counts["held"] -= 1
        counts["released"] = 1
    return {"created": True, **counts}
