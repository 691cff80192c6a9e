"""The trade facts in a real Chromium: a customer manager opens the facts page from the customer page, records
a month's sales and a delivery and confirms it partly shipped; a finance officer bills it and records a
payment, and the summary shows what is open. Run with ``pytest -m browser``; Chromium is /usr/bin/chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world
from tests.tradecredit.credit_world import set_limit

from kehu.core import services as core_services
from kehu.trade.models import Delivery, Invoice, Payment, SalesRecord

pytestmark = pytest.mark.browser


def test_record_sales_delivery_invoice_and_payment_from_the_facts_page(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    core_services.user_create(username="bj_finance", org_code="BJ", roles=["finance_officer"], password=PASSWORD,
                              actor=None)
    firm = world.admit(world.enterprise(name="北京鑫源铜业有限公司"))
    # a shipment without an order passes the trade credit check: the customer has room for it
    set_limit(firm, "10000000.00", 60)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    due = today - timedelta(days=10)

    page, errors = login(browser, live_server.url, "bj_cm")
    page.goto(f"{live_server.url}/customers/{firm.pk}/")
    page.locator("#trade-facts-link").click()
    expect(page.locator("h1")).to_contain_text("交易数据")
    page.locator("#action-sales summary").click()
    page.locator("#action-sales input[name=reference]").fill("XS-2026-01")
    page.locator("#action-sales input[name=period]").fill(f"{last_month:%Y-%m}")
    page.locator("#action-sales input[name=amount]").fill("860000.00")
    page.locator("#action-sales button").click()
    expect(page.locator(".messages")).to_contain_text("已登记")
    expect(page.locator("#sales")).to_contain_text("XS-2026-01")
    page.locator("#action-delivery summary").click()
    page.locator("#action-delivery input[name=reference]").fill("JH-001")
    page.locator("#action-delivery input[name=due_on]").fill(due.isoformat())
    page.locator("#action-delivery input[name=quantity_due]").fill("100")
    page.locator("#action-delivery input[name=amount]").fill("500000.00")
    page.locator("#action-delivery button").click()
    expect(page.locator("#deliveries")).to_contain_text("未交货")
    delivery = Delivery.objects.get(reference="JH-001")
    confirm = page.locator(f"#confirm-{delivery.pk}")
    confirm.locator("summary").click()
    confirm.locator("input[name=delivered_on]").fill(due.isoformat())
    confirm.locator("input[name=quantity_delivered]").fill("80")
    confirm.locator("button").click()
    expect(page.locator("#deliveries")).to_contain_text("部分交货")
    expect(page.locator("#unbilled")).to_have_text("400,000.00")  # 80 of 100 shipped

    finance, errors2 = login(browser, live_server.url, "bj_finance")
    finance.goto(f"{live_server.url}/trade/facts/customer/{firm.pk}/")
    assert finance.locator("#action-sales").count() == 0
    finance.locator("#action-invoice summary").click()
    finance.locator("#action-invoice input[name=reference]").fill("FP-0001")
    finance.locator("#action-invoice input[name=issued_on]").fill(due.isoformat())
    finance.locator("#action-invoice input[name=due_on]").fill((due + timedelta(days=5)).isoformat())
    finance.locator("#action-invoice input[name=amount]").fill("400000.00")
    finance.locator("#action-invoice input[name=delivery_references]").fill("JH-001")
    finance.locator("#action-invoice button").click()
    expect(finance.locator("#invoices")).to_contain_text("逾期 5 天")
    finance.locator("#action-payment summary").click()
    finance.locator("#action-payment input[name=reference]").fill("SK-0001")
    finance.locator("#action-payment input[name=invoice_reference]").fill("FP-0001")
    finance.locator("#action-payment input[name=paid_on]").fill(today.isoformat())
    finance.locator("#action-payment input[name=amount]").fill("500000.00")  # more than is open
    finance.locator("#action-payment button").click()
    expect(finance.locator(".messages")).to_contain_text("超过发票 FP-0001 的未付余额")
    finance.locator("#action-payment summary").click()
    finance.locator("#action-payment input[name=reference]").fill("SK-0001")
    finance.locator("#action-payment input[name=invoice_reference]").fill("FP-0001")
    finance.locator("#action-payment input[name=paid_on]").fill(today.isoformat())
    finance.locator("#action-payment input[name=amount]").fill("150000.00")
    finance.locator("#action-payment button").click()
    expect(finance.locator("#open-receivables")).to_have_text("250,000.00")
    expect(finance.locator("#unbilled")).to_have_text("0.00")
    assert SalesRecord.objects.get().amount == 860000
    assert Invoice.objects.get().deliveries.get() == delivery
    assert Payment.objects.get().amount == 150000
    assert errors == [] and errors2 == []
