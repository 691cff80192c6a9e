"""Demo statistics on top of the credit demo: capital bases, last month frozen, the renewing line taken
past its maturity (renewal still in approval), this month frozen, the large-credit table drafted (with
the carried-forward customer) and concentration checked. Runs once."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kehu.core.models import User
from kehu.credit import services as credit_services
from kehu.credit.models import CreditLine
from kehu.exposure import rules, services
from kehu.exposure.models import StatFreeze


def load_demo_exposure(rng: random.Random) -> dict:
    with transaction.atomic():
        if StatFreeze.objects.exists() or not User.objects.filter(username="hq_risk1").exists():
            return {"created": False}
        risk, finance = User.objects.get(username="hq_risk1"), User.objects.get(username="hq_finance")
        today = timezone.localdate()
        current = f"{today.year:04d}-{today.month:02d}"
        previous = rules.previous_period(current)
        services.capital_base_record(actor=finance, as_of=rules.month_bounds(previous)[0],
                                     capital_amount=Decimal("8000000000.00"),
                                     net_capital_amount=Decimal("7200000000.00"),
                                     tier1_net_amount=Decimal("6500000000.00"))
        services.month_freeze(actor=risk, period=previous)
        renewing = CreditLine.objects.filter(renewals__status="in_approval", status="active").first()
        if renewing is not None:
            credit_services.line_expire_due(today=renewing.valid_to + timedelta(days=1))
        services.month_freeze(actor=risk, period=current)
        report = services.report_draft(actor=risk, period=current, org_code="B0001H211000001", preparer="风险统计岗",
                                       phone="0734-8888888", reviewer="风险部负责人")
        services.concentration_check(actor=risk, period=current)
        return {"created": True, "report": report.pk, "rows": report.rows.count(),
                "carried_forward": report.rows.filter(carried_forward=True).count()}
