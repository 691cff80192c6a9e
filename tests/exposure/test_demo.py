from __future__ import annotations

import random

from kehu.credit.demo import load_demo_credit
from kehu.customers.demo import load_demo
from kehu.exposure.demo import load_demo_exposure
from kehu.exposure.models import LargeCreditReport, StatFreeze


def test_demo_statistics_show_a_carried_forward_customer(db):
    load_demo()
    load_demo_credit(random.Random(7))
    out = load_demo_exposure(random.Random(7))
    assert out["created"] and out["rows"] >= 1
    assert out["carried_forward"] == 1
    assert StatFreeze.objects.count() == 2
    assert LargeCreditReport.objects.get().problems == []
    assert load_demo_exposure(random.Random(7))["created"] is False
