"""The trade demo: a year of facts for the admitted demo customers, loaded once, through the services, so
that the grading demo grades the last two months with a spread of grades."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from kehu.core.audit import verify_chain
from kehu.core.models import AuditEvent, RoleAssignment
from kehu.customers.demo import load_demo
from kehu.grading.demo import load_demo_grading
from kehu.grading.models import GradeResult
from kehu.trade import selectors
from kehu.trade.demo import load_demo_trade
from kehu.trade.events import TradeFactEvent
from kehu.trade.models import Delivery, Invoice, Payment, SalesRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Customers, trade and grading demos once for this module, rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(KEHU_FILES_DIR=tmp_path_factory.mktemp("files")):
        with transaction.atomic():
            load_demo()
            trade = load_demo_trade(random.Random(2026))
            grading = load_demo_grading(random.Random(2027))
            yield trade, grading
            transaction.set_rollback(True)


def test_a_year_of_facts_for_every_admitted_customer_loaded_once(demo):
    trade, _grading = demo
    assert trade["created"] and trade["customers"] >= 50
    assert SalesRecord.objects.count() == trade["sales"] == trade["customers"] * 12
    this_month = timezone.localdate().replace(day=1)
    months = sorted(set(SalesRecord.objects.values_list("period", flat=True)))
    assert len(months) == 12 and months[-1] < this_month
    assert Delivery.objects.count() == trade["deliveries"] and Invoice.objects.count() == trade["invoices"]
    assert Payment.objects.count() == trade["payments"]
    assert len(trade["habits"]) >= 4
    assert RoleAssignment.objects.filter(user__username__in=["bj_finance", "hy_finance"],
                                         role="finance_officer").count() == 2
    audit = AuditEvent.objects.count()
    assert load_demo_trade(random.Random(2026)) == {"created": False}
    assert AuditEvent.objects.count() == audit
    assert AuditEvent.objects.filter(event_code=TradeFactEvent.PAYMENT_RECORDED).count() == trade["payments"]
    assert list(verify_chain()) == []


def test_the_facts_have_a_realistic_spread(demo):
    # partial deliveries, late deliveries, invoices paid late and a few left open long past due
    assert Delivery.objects.filter(quantity_delivered__lt=F("quantity_due"), delivered_on__isnull=False).exists()
    assert Delivery.objects.filter(delivered_on__gt=F("due_on")).exists()
    assert Payment.objects.filter(paid_on__gt=F("invoice__due_on")).exists()
    customers = set(Invoice.objects.values_list("customer_id", flat=True))
    overdue = [selectors.overdue(customer_id=c) for c in customers]
    assert sum(1 for o in overdue if o.max_days > 60) >= 2
    assert sum(1 for o in overdue if o.invoices == 0) >= len(customers) // 3


def test_grading_ran_on_the_demo_facts_with_a_spread_of_grades(demo):
    _trade, grading = demo
    assert grading["runs"] == 2
    this_month = timezone.localdate().replace(day=1)
    grades = list(GradeResult.objects.filter(period=this_month).values_list("grade", flat=True))
    assert len(grades) >= 50
    assert len(set(grades)) > 2, sorted(grades)
    assert {"A", "B"} & set(grades) and {"D", "E"} & set(grades)
    assert GradeResult.objects.filter(period=this_month, raw_volume__gt=0).count() == len(grades)
