"""Grading fixtures on top of the shared world: an HQ customer office and risk officer to run grading,
and an approved default scorecard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kehu.core import services as core_services
from kehu.grading.services import policies

PASSWORD = "Kehu-test-2026"


def add_grading_users(world) -> None:
    def user(name, org, roles):
        world.users[name] = core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD,
                                                      actor=None)

    user("hq_office", "HQ", ["customer_office"])
    user("hq_risk", "HQ", ["risk_officer"])


# The months the tests grade from (periods 2026-10 and 2026-11 are scored on September and October).
FACT_MONTHS = (date(2026, 9, 1), date(2026, 10, 1))


def paid_on_time(customer, months=FACT_MONTHS) -> None:
    """A fact for each month a test grades on: an invoice due mid-month, paid in full on its due date. It scores
    exactly what "nothing due" scores (paid on time, nothing overdue), so a customer with it is graded
    (grading.require_facts) on the same points."""
    from kehu.trade.models import Invoice, Payment

    for month in months:
        due = month.replace(day=15)
        inv = Invoice.objects.create(customer=customer, reference=f"T-{customer.pk}-{month:%Y%m}", issued_on=month,
                                     due_on=due, amount=Decimal("100.00"))
        Payment.objects.create(invoice=inv, customer=customer, reference=f"P-{customer.pk}-{month:%Y%m}", paid_on=due,
                               amount=Decimal("100.00"))


@pytest.fixture
def gworld(world):
    add_grading_users(world)
    admit = world.admit

    def admit_with_facts(customer):
        customer = admit(customer)
        paid_on_time(customer)
        return customer

    world.admit_without_facts = admit
    world.admit = admit_with_facts
    return world


@pytest.fixture
def policy(gworld):
    draft = policies.policy_create(actor=gworld.hq_office, name="默认评分卡")
    return policies.policy_approve(actor=gworld.hq_committee1, policy_id=draft.pk)
