"""The credit demo builds on the customers demo, through the services, once."""

from __future__ import annotations

import random

from tests.credit.test_races import invariant_violations

from kehu.credit.demo import load_demo_credit
from kehu.credit.models import CreditLine, CreditUse, LineMovement
from kehu.customers.demo import load_demo


def test_demo_loads_once_and_keeps_the_invariant(db):
    load_demo()
    first = load_demo_credit(random.Random(7))
    assert first["created"] and CreditLine.objects.filter(status="active").count() >= 5
    assert CreditLine.objects.filter(status="in_approval").exists()
    assert CreditLine.objects.filter(line_amount__gte=100_000_000).exists()
    assert CreditUse.objects.filter(outstanding_amount__gt=0).exists()
    assert LineMovement.objects.filter(kind="refused").exists()
    assert invariant_violations() == 0
    count = CreditLine.objects.count()
    assert load_demo_credit(random.Random(7))["created"] is False
    assert CreditLine.objects.count() == count
