"""Credit fixtures on top of the shared world: approvers at each level, a risk officer, finance, and a
helper that builds an admitted, rated customer with an approved line.

One module for the credit and exposure tests: tests/credit/conftest.py and tests/exposure/conftest.py import
its fixtures; other tests import the helpers from here."""

from __future__ import annotations

import pytest
from django.utils import translation

from kehu.core import services as core_services
from kehu.credit import services

PASSWORD = "Kehu-test-2026"


def add_credit_users(world) -> None:
    def user(name, org, roles):
        world.users[name] = core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD,
                                                      actor=None)

    user("bj01_approver", "BJ01", ["credit_approver"])
    user("bj_approver", "BJ", ["credit_approver"])
    user("hq_approver", "HQ", ["credit_approver"])
    user("sh_approver", "SH", ["credit_approver"])
    user("hq_risk", "HQ", ["risk_officer"])
    user("hq_risk2", "HQ", ["risk_officer"])
    user("hq_finance", "HQ", ["finance_officer"])


def rated_customer(world, *, rating="A", org=None, by=None):
    customer = world.admit(world.enterprise(org=org, by=by))
    services.rating_record(actor=world.hq_risk, customer_id=customer.pk, rating=rating)
    return customer


def active_line(world, customer, amount="10000000.00", *, sub_limits=None, by=None, approver=None, **kw):
    line = services.line_request(actor=by or world.bj_cm, customer_id=customer.pk, line_amount=amount,
                                 sub_limits=sub_limits, **kw)
    return services.line_approve(actor=approver or world.hq_approver, line_id=line.pk)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cworld(world):
    add_credit_users(world)
    return world


@pytest.fixture
def ctworld(tworld):
    add_credit_users(tworld)
    return tworld
