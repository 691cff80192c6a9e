"""The suitability demo: the four cases of issue 15, loadable twice without duplicates."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from kehu.suitability.demo import load_demo_suitability
from kehu.suitability.models import Filing, ProfessionalDecision, Subscription, SuitabilityCheck
from kehu.suitability.services import match_for

pytestmark = pytest.mark.django_db


def test_demo_has_the_four_cases_and_loads_once(world):
    assert load_demo_suitability(random.Random(1))["created"] is True
    refused = SuitabilityCheck.objects.get(investor_class="C2")
    assert (refused.allowed, refused.product_risk, refused.reason_code) == (False, "R4", "above_level_refused")
    warned = Subscription.objects.get(investor_class="C3")
    assert warned.warning_confirmed_at and warned.state == "disclosure_signed" and warned.product.risk_level == "R4"
    # the warn-and-confirm setting was a dated version: today refusal is back in force
    assert match_for(user=None, investor_id=warned.investor_id, product_id=warned.product_id)["reason_code"] == \
        "above_level_refused"
    decision = ProfessionalDecision.objects.get()
    assert decision.conversion and decision.status == "approved" and decision.decided_by != decision.requested_by
    overdue = Filing.objects.get(kind="plan")
    assert overdue.status == "open" and overdue.due_date < timezone.localdate() and overdue.overdue_at
    assert Filing.objects.get(kind="policy_change").status == "submitted"
    counts = (Subscription.objects.count(), Filing.objects.count())
    assert load_demo_suitability(random.Random(1)) == {"created": False}
    assert (Subscription.objects.count(), Filing.objects.count()) == counts
