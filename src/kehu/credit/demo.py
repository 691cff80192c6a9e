"""Demo credit data built through the services on top of the customers demo: approvers, risk and finance
logins, bank ratings, lines with sub-limits (a few above the large-credit threshold), a group line, uses
drawn, posted and partly repaid, a refusal, a renewal pending, and last month's frozen statistics with a
drafted large-credit table. ``load_demo_credit(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.audit import seal_at_end
from kehu.core.models import User
from kehu.credit import services
from kehu.credit.errors import CreditRefused
from kehu.credit.models import CreditLine
from kehu.customers.models import Customer, CustomerGroup, GroupMembership

DEMO_PASSWORD = "Kehu-Demo-2026"
CREDIT_LOGINS = [
    ("hq_approver", "HQ", "credit_approver"), ("bj_approver", "BJ", "credit_approver"),
    ("hy_approver", "HY", "credit_approver"), ("hq_risk1", "HQ", "risk_officer"), ("hq_risk2", "HQ", "risk_officer"),
    ("hq_finance", "HQ", "finance_officer"),
]
SIZES = ["3000000.00", "8000000.00", "20000000.00", "50000000.00", "120000000.00", "300000000.00"]


def _user(username: str, org: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = core_services.user_create(username=username, org_code=org, roles=[role], password=DEMO_PASSWORD,
                                         actor=None)
    return user


def _maker(customer: Customer) -> User:
    branch = customer.org_path.strip("/").split("/")[1] if customer.org_path.count("/") > 2 else "BJ"
    return User.objects.get(username=f"{branch.lower()}_cm1")


def load_demo_credit(rng: random.Random) -> dict:
    with transaction.atomic(), seal_at_end():  # the audit rows sealed once, at the end: the same chain
        if CreditLine.objects.exists():
            return {"created": False}
        if not User.objects.filter(username="bj_cm1").exists():
            return {"created": False, "reason": "load the customers demo first"}
        users = {name: _user(name, org, role) for name, org, role in CREDIT_LOGINS}
        risk, approver = users["hq_risk1"], users["hq_approver"]
        customers = list(Customer.objects.filter(kind="enterprise", admission_status__in=["qualified", "active"])
                         .order_by("pk")[:40])
        lines = []
        for i, customer in enumerate(customers):
            rating = rng.choice(["AAA", "AA", "A", "A", "BBB"]) if i else "AA"
            services.rating_record(actor=risk, customer_id=customer.pk, rating=rating)
            if rating == "BBB":
                continue
            amount = Decimal(rng.choice(SIZES) if i > 3 else SIZES[4 + i % 2])
            subs = {"loan": amount * Decimal("0.6"), "acceptance": amount * Decimal("0.5"),
                    "letter_of_guarantee": amount * Decimal("0.2")}
            line = services.line_request(
                actor=_maker(customer), customer_id=customer.pk, line_amount=amount,
                sub_limits={k: v.quantize(Decimal("0.01")) for k, v in subs.items()},
                collateral_type=rng.choice(["", "mortgage"]), mortgage_share_pct=rng.choice([0, 70, 80]),
                formula_inputs={"equity": str(amount * Decimal(rng.choice([2, 3, 5]))),
                                "intangibles": str(amount / 10), "other_bank_lines": str(amount / 4)},
                valid_to=timezone.localdate() + timedelta(days=10) if i == 1 else None)
            if i % 9 == 8:
                lines.append((line, False))  # left in approval for the inbox
                continue
            lines.append((services.line_approve(actor=approver, line_id=line.pk, note="同意"), True))
        for line, active in lines:
            if not active:
                continue
            maker = _maker(line.customer)
            for product in ("loan", "acceptance"):
                amount = (line.line_amount * Decimal(rng.choice(["0.1", "0.2", "0.3"]))).quantize(Decimal("0.01"))
                use = services.use_reserve(actor=maker, line_id=line.pk, product=product, amount=amount,
                                           reference=f"SX{line.pk:05d}{product[:2].upper()}",
                                           margin_amount=(amount * Decimal("0.3")).quantize(Decimal("0.01"))
                                           if product == "acceptance" else None)
                services.use_post(actor=maker, use_id=use.pk)
                if rng.random() < 0.4:
                    services.use_repay(actor=maker, use_id=use.pk, amount=(amount / 4).quantize(Decimal("0.01")))
            try:  # one refusal in each history: more than the loan sub-limit allows
                services.use_reserve(actor=maker, line_id=line.pk, product="loan", amount=line.line_amount)
            except CreditRefused:
                pass
        # a group line over the first demo group's members
        group = CustomerGroup.objects.order_by("pk").first()
        if group is not None and all(Customer.objects.filter(pk=m.customer_id, admission_status__in=[
                "qualified", "active"]).exists() for m in GroupMembership.objects.filter(group=group)):
            member = GroupMembership.objects.filter(group=group).first()
            if member is not None:
                gline = services.line_request(actor=_maker(member.customer), group_id=group.pk,
                                              line_amount="500000000.00")
                services.line_approve(actor=approver, line_id=gline.pk, note="集团授信")
        # a renewal pending: the second line matures while its renewal is in approval
        renewing = next((line for line, active in lines if active and line.valid_to < timezone.localdate()
                         + timedelta(days=30)), None)
        if renewing is not None:
            services.line_request(actor=_maker(renewing.customer), customer_id=renewing.customer_id,
                                  line_amount=renewing.line_amount * 2, renews_line_id=renewing.pk)
        # an increase requested by the customer manager, waiting for a second approver
        growing = next((line for line, active in reversed(lines) if active and line != renewing), None)
        if growing is not None:
            services.line_adjust(actor=_maker(growing.customer), line_id=growing.pk,
                                 line_amount=(growing.line_amount * Decimal("1.2")).quantize(Decimal("0.01")),
                                 reason="订单增长，申请提高综合授信额度")
        return {"created": True, "lines": CreditLine.objects.count()}
