"""The complaint flow in a real Chromium: an agent acknowledges and investigates a complaint while the
working-time countdown ticks, a supervisor approves the proposed resolution, the agent closes it.
Run with ``pytest -m browser``; Chromium comes from the system (/usr/bin/chromium)."""

from __future__ import annotations

import pytest
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.core import services as core_services
from kehu.helpdesk.models import Ticket

pytestmark = pytest.mark.browser





def test_complaint_flow(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    core_services.user_create(username="bj_agent", org_code="BJ", roles=["service_agent"], password=PASSWORD,
                                      actor=None)
    core_services.user_create(username="bj_super", org_code="BJ", roles=["service_supervisor"], password=PASSWORD,
                              actor=None)
    customer = world.enterprise(name="北京鑫源铜业有限公司")
    for i in range(30):  # other customers the search must not drown in
        world.enterprise(name=f"天津港{i}物流有限公司")

    page, errors = login(browser, live_server.url, "bj_agent")
    page.goto(live_server.url + "/helpdesk/")
    page.locator("#new-ticket").click()
    # phone entry: search-as-you-type asks the picker API for a few matches; pick one
    page.locator("#id_customer_id_search").press_sequentially("鑫源", delay=50)
    options = page.locator("#id_customer_id_options").get_by_role("option")
    option = options.filter(has_text="北京鑫源铜业有限公司")
    expect(option).to_have_count(1)
    assert options.count() <= 10
    option.click()
    page.locator("#id_subject").fill("货物破损")
    page.locator("#id_description").fill("客户来电：到货包装破损")
    page.locator("#id_financial_consumer").check()
    page.locator("#create-ticket").click()
    expect(page.locator("#ticket-state")).to_be_visible()
    ticket = Ticket.objects.get(subject="货物破损")
    assert ticket.customer_id == customer.pk and ticket.channel == "phone" and ticket.regulatory_due
    url = f"{live_server.url}/helpdesk/{ticket.pk}/"
    assert page.url == url
    countdown = page.locator("#sla-remaining")
    expect(countdown).to_contain_text(":")
    first = countdown.inner_text()
    assert ":" in first
    page.wait_for_timeout(1500)
    # the clock ticks in the browser during working hours and stands still outside them (working time)
    if countdown.get_attribute("data-running") == "1":
        assert countdown.inner_text() != first
    else:
        assert countdown.inner_text() == first
    assert page.locator("#do-investigating").count() == 0
    page.locator("#do-acknowledged").click()
    expect(page.locator("#ticket-state")).to_contain_text("已确认收悉")
    page.locator("#do-investigating").click()
    page.locator("#do-resolution_proposed").click()
    assert Ticket.objects.get(pk=ticket.pk).state == "resolution_proposed"
    # the agent may not approve: the button is there, the service refuses and nothing changes
    page.locator("#do-approve").click()
    assert Ticket.objects.get(pk=ticket.pk).state == "resolution_proposed"

    page2, errors2 = login(browser, live_server.url, "bj_super")
    page2.goto(url)
    page2.locator("#do-approve").click()
    expect(page2.locator("#ticket-state")).to_have_text("已批准")
    assert Ticket.objects.get(pk=ticket.pk).state == "approved"

    page.goto(url)
    page.locator("#do-communicated").click()
    page.locator("#do-closed").click()
    assert Ticket.objects.get(pk=ticket.pk).state == "closed"
    assert page.locator("#sla-remaining").count() == 0
    assert errors == [] and errors2 == []
