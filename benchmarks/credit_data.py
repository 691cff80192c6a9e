"""Data generator shared by the credit and exposure benchmarks (not a benchmark itself).

Builds an org tree, a customer manager and an approver, ``n`` active enterprise customers with valid
unified social credit codes and Chinese names, and one active comprehensive line each (with loan and
acceptance sub-limits), written in bulk straight into the tables the services read."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal


def build(n: int, *, seed: int = 5, line_amount: str | None = None, skew: bool = True, batch: int = 5000) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from kehu.core import services as core_services
    from kehu.core.models import OrgUnit
    from kehu.credit.models import CreditLine, SubLimit
    from kehu.customers.generators import make_company, make_uscc
    from kehu.customers.models import Customer

    rng = random.Random(seed)
    if not OrgUnit.objects.filter(code="HQ").exists():
        core_services.org_unit_create(code="HQ", name="总行", actor=None)
        core_services.org_unit_create(code="BJ", name="北京分行", parent_code="HQ", actor=None)
        core_services.user_create(username="bench_cm", org_code="HQ", roles=["customer_manager"],
                                  password="Bench-2026-pass", actor=None)
        core_services.user_create(username="bench_approver", org_code="HQ", roles=["credit_approver"],
                                  password="Bench-2026-pass", actor=None)
    unit = OrgUnit.objects.get(code="BJ")
    today = timezone.localdate()
    used: set[str] = set(Customer.objects.values_list("uscc", flat=True))
    start = Customer.objects.count()
    made = 0
    while made < n:
        customers = []
        for _ in range(min(batch, n - made)):
            name, trade, _code = make_company(rng)
            code = make_uscc(rng)
            while code in used:
                code = make_uscc(rng)
            used.add(code)
            customers.append(Customer(kind="enterprise", name=f"{name}{start + made + len(customers)}", uscc=code,
                                      industry=trade, org_unit=unit, org_path=unit.path, admission_status="active"))
        with transaction.atomic():
            Customer.objects.bulk_create(customers, batch_size=batch)
            created = [c.pk for c in customers]  # SQLite >= 3.35 and PostgreSQL return the ids
            lines = []
            for cid in created:
                if line_amount is not None:
                    amount = Decimal(line_amount)
                elif skew:  # skewed sizes: most lines small, a few very large
                    amount = Decimal(int(rng.paretovariate(1.2) * 5_000_000)).quantize(Decimal("0.01"))
                    amount = min(amount, Decimal("5000000000.00"))
                else:
                    amount = Decimal("1000000000.00")
                lines.append(CreditLine(kind="customer", line_type="comprehensive", customer_id=cid,
                                        org_path=unit.path, status="active", currency="CNY", line_amount=amount,
                                        requested_amount=amount, valid_from=today - timedelta(days=30),
                                        valid_to=today + timedelta(days=330), rating="A", required_level=0))
            CreditLine.objects.bulk_create(lines, batch_size=batch)
            line_ids = list(CreditLine.objects.filter(customer_id__in=created).values_list("pk", "line_amount"))
            SubLimit.objects.bulk_create(
                [SubLimit(line_id=pk, product=p, limit_amount=amt * f) for pk, amt in line_ids
                 for p, f in (("loan", Decimal("0.8")), ("acceptance", Decimal("0.5")))], batch_size=batch)
        made += len(customers)
    return {"lines": list(CreditLine.objects.filter(kind="customer").order_by("pk").values_list("pk", flat=True))}
