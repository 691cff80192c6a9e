"""Trade credit in a real Chromium: a customer manager places an order over the limit from the customer's
credit page, it goes on credit hold; the sales manager may not release a 20 per cent excess, the finance
manager releases it. Run with ``pytest -m browser``; Chromium comes from the system (/usr/bin/chromium)."""

from __future__ import annotations

import pytest
from tests.browser.support import login
from tests.conftest import build_world
from tests.tradecredit.credit_world import add_credit_users, set_limit

from kehu.trade.models import SalesOrder

pytestmark = pytest.mark.browser


def test_order_over_the_limit_is_held_and_released_by_the_right_role(transactional_db, live_server,
                                                                        browser):
    from playwright.sync_api import expect

    world = build_world()
    add_credit_users(world)
    firm = world.admit(world.enterprise(name="北京鑫源铜业有限公司"))
    set_limit(firm, "100000.00", 30)

    page, errors = login(browser, live_server.url, "bj_cm")
    page.goto(f"{live_server.url}/customers/{firm.pk}/")
    page.locator("#trade-credit-link").click()
    expect(page.locator("#limit-amount")).to_have_text("100,000.00")
    page.locator("#new-order").click()
    page.locator("#id_number").fill("SO-2026-001")
    page.locator("#id_amount").fill("120000.00")
    page.get_by_role("button", name="提交订单").click()
    expect(page.locator("#order-status")).to_have_text("信用冻结")
    expect(page.locator("#hold-reasons")).to_contain_text("超出信用额度")
    expect(page.locator("#hold-authority")).to_contain_text("财务经理")
    order = SalesOrder.objects.get(number="SO-2026-001")
    assert order.status == "credit_hold" and order.release_authority == "finance_manager"
    url = f"{live_server.url}/trade/orders/{order.pk}/"

    sales, errors2 = login(browser, live_server.url, "bj_sm")
    sales.goto(url)
    expect(sales.locator("#no-authority")).to_be_visible()
    assert sales.locator("#release-form").count() == 0

    finance, errors3 = login(browser, live_server.url, "bj_fm")
    finance.goto(url)
    finance.locator("#release-form input[name=note]").fill("老客户，回款记录良好")
    finance.locator("#release-form button").click()
    expect(finance.locator("#order-status")).to_have_text("已接受")
    order.refresh_from_db()
    assert order.status == "accepted" and order.decided_by.username == "bj_fm"
    finance.goto(f"{live_server.url}/trade/orders/?status=credit_hold")
    expect(finance.locator("#orders")).not_to_contain_text("SO-2026-001")
    assert errors == [] and errors2 == [] and errors3 == []
