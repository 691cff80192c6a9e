"""One search-as-you-type customer picker on every form that needs a customer, in Chromium: a credit line
request and an order (customer manager), a rating (risk officer), a group member (office). Typing pinyin
initials or a name finds the customer within the form's scope; nobody types a numeric id."""

from __future__ import annotations

import pytest
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.core import services as core_services

pytestmark = pytest.mark.browser


def _pick(page, field_id: str, typed: str, name: str):
    from playwright.sync_api import expect

    page.locator(f"#{field_id}_search").press_sequentially(typed, delay=40)
    option = page.locator(f"#{field_id}_options").get_by_role("option").filter(has_text=name)
    expect(option).to_have_count(1)
    option.click()
    assert name in page.locator(f"#{field_id}_search").input_value()


def test_every_customer_form_uses_the_picker(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    from kehu.credit.models import CreditLine, CustomerRating
    from kehu.customers.models import CustomerGroup, GroupMembership
    from kehu.trade.models import SalesOrder

    world = build_world()
    core_services.user_create(username="hq_risk", org_code="HQ", roles=["risk_officer"], password=PASSWORD,
                              actor=None)
    firm = world.admit(world.enterprise(name="北京鑫源铜业有限公司"))
    other = world.admit(world.enterprise(name="北京华鑫物流有限公司"))
    world.enterprise(by=world.sh_cm, name="上海鑫源贸易有限公司")  # outside 北京's scope: never offered

    risk, errors = login(browser, live_server.url, "hq_risk")
    risk.goto(live_server.url + "/credit/")
    _pick(risk, "id_customer_id", "鑫源", "北京鑫源铜业有限公司")
    risk.locator("#id_rating").select_option("A")
    risk.locator("form[action='/credit/ratings/'] button[type=submit]").click()
    expect(risk.locator(".msg")).to_be_visible()
    assert CustomerRating.objects.filter(customer=firm).exists()

    cm, cm_errors = login(browser, live_server.url, "bj_cm")
    cm.goto(live_server.url + "/credit/new/")
    cm.locator("#id_customer_id_search").press_sequentially("鑫源", delay=40)
    options = cm.locator("#id_customer_id_options").get_by_role("option")
    expect(options.filter(has_text="北京鑫源铜业有限公司")).to_have_count(1)
    assert options.filter(has_text="上海鑫源贸易有限公司").count() == 0
    options.filter(has_text="北京鑫源铜业有限公司").click()
    cm.locator("#id_line_amount").fill("1000000.00")
    cm.locator("form button[type=submit]").last.click()
    expect(cm.locator("h1")).to_contain_text("北京鑫源铜业有限公司")
    assert CreditLine.objects.get().customer_id == firm.pk

    cm.goto(live_server.url + "/trade/orders/new/")
    _pick(cm, "id_customer_id", "bjhx", "北京华鑫物流有限公司")  # pinyin initials
    cm.locator("#id_number").fill("SO-9")
    cm.locator("#id_amount").fill("100.00")
    cm.locator("form button[type=submit]").last.click()
    expect(cm.locator("h1")).to_be_visible()
    assert SalesOrder.objects.get(number="SO-9").customer_id == other.pk

    office, office_errors = login(browser, live_server.url, "bj_office")
    office.goto(live_server.url + "/customers/groups/")
    office.locator("#id_code").fill("HX")
    office.locator("#id_name").fill("华鑫集团")
    office.locator("form button[type=submit]").last.click()
    group = CustomerGroup.objects.get(code="HX")
    office.goto(f"{live_server.url}/customers/groups/{group.pk}/")
    _pick(office, "id_customer", "华鑫物流", "北京华鑫物流有限公司")
    office.locator("form[action$='/members/'] button[type=submit]").click()
    expect(office.locator("table")).to_contain_text("北京华鑫物流有限公司")
    assert GroupMembership.objects.filter(group=group, customer=other).exists()
    assert errors == [] and cm_errors == [] and office_errors == []
