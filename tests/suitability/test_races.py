"""The 200th place of a collective plan (M-8) with real threads: two subscriptions sign their contracts at
the same moment and only one takes the last place. Runs on SQLite (IMMEDIATE transactions) and PostgreSQL
(the product row locked)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.concurrency import run_together

from kehu.core.models import OrgUnit
from kehu.customers.models import Customer
from kehu.suitability import services
from kehu.suitability.errors import PlanFull
from kehu.suitability.models import PLACE_STATES, InvestorProfile, Subscription

pytestmark = pytest.mark.django_db(transaction=True)


def _holders(product, n: int) -> None:
    """``n`` investors already holding a place (written directly: only their count matters here)."""
    org = OrgUnit.objects.get(code="BJ")
    customers = Customer.objects.bulk_create([
        Customer(kind="individual", name=f"持有人{i}", org_unit=org, org_path=org.path) for i in range(n)])
    keep = date(2046, 1, 1)
    profiles = InvestorProfile.objects.bulk_create([
        InvestorProfile(customer=c, org_path=org.path, investor_kind="person", retain_until=keep) for c in customers])
    Subscription.objects.bulk_create([
        Subscription(investor=p, product=product, org_path=org.path, amount="1000000.00", subscribed_on=date(2026, 1, 5),
                     rule_version="2018", state="active", retain_until=keep) for p in profiles])


def test_two_subscriptions_cannot_both_take_the_200th_place(tkit):
    w = tkit.world
    product = tkit.product("R2")  # collective: cap 200 (M-8)
    _holders(product, 199)
    a = tkit.to_disclosure(tkit.investor("C3"), product)
    b = tkit.to_disclosure(tkit.investor("C3"), product)
    results = run_together([
        lambda: services.subscription_sign_contract(actor=w.bj_cm, subscription_id=a.pk),
        lambda: services.subscription_sign_contract(actor=w.bj_cm, subscription_id=b.pk),
    ])
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, PlanFull)
    holders = Subscription.objects.filter(product=product, state__in=PLACE_STATES)
    assert holders.values("investor_id").distinct().count() == 200
    assert sorted(Subscription.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == \
        ["contract_signed", "disclosure_signed"]
