"""The price-allowance approval chain (domain spec S-12) in a real Chromium: an agent records a band-2
allowance with the buyer's evidence on the new-ticket page, the sales manager sees the band and the two
required sign-offs and signs, the ticket still waits, the finance manager signs and the allowance is approved
and reduces the receivable. Only a user with a pending sign-off sees the approve/reject buttons.
Run with ``pytest -m browser``; Chromium comes from the system (/usr/bin/chromium)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.core import services as core_services
from kehu.helpdesk.models import ReceivableReduction, Ticket

pytestmark = pytest.mark.browser





def test_band_2_allowance_chain(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    # the same users and roles as tests/helpdesk/conftest.py
    for name, org, roles in [("bj_agent", "BJ", ["service_agent"]), ("bj_sales_mgr", "BJ", ["sales_manager"]),
                             ("hq_fin_mgr", "HQ", ["finance_manager"]), ("bj_super", "BJ", ["service_supervisor"])]:
        core_services.user_create(username=name, org_code=org, roles=roles, password=PASSWORD, actor=None)
    customer = world.enterprise(name="北京鑫源铜业有限公司")

    # the agent records the allowance: ¥50,000 on a ¥2,000,000 invoice is 2.5 per cent, over band 1
    # (¥10,000 / 1 per cent) but within band 2 (¥100,000 / 5 per cent)
    page, errors = login(browser, live_server.url, "bj_agent")
    page.goto(live_server.url + "/helpdesk/new/")
    page.locator("#id_kind").select_option("allowance")
    page.locator("#id_customer_id_search").press_sequentially("鑫源", delay=50)
    option = page.locator("#id_customer_id_options").get_by_role("option").filter(has_text="北京鑫源铜业有限公司")
    expect(option).to_have_count(1)
    option.click()
    page.locator("#id_subject").fill("单价差异折让")
    page.locator("#id_description").fill("客户反映 11 月发票单价高于合同价")
    page.locator("#id_amount").fill("50000.00")
    page.locator("#id_invoice_amount").fill("2000000.00")
    page.locator("#id_evidence_document").fill("销货折让证明单 2025-11")
    page.locator("#create-ticket").click()
    expect(page.locator("#allowance-approval")).to_be_visible()
    ticket = Ticket.objects.get(subject="单价差异折让")
    assert ticket.kind == "allowance" and ticket.customer_id == customer.pk
    assert ticket.amount == Decimal("50000.00") and ticket.data["approval"]["band"] == 2
    url = f"{live_server.url}/helpdesk/{ticket.pk}/"
    assert page.url == url
    expect(page.locator("#ticket-state")).to_have_text("已受理")
    expect(page.locator("#allowance-band")).to_have_text("第 2 档")
    # the requester never signs: no approve or reject button for the agent
    assert page.locator("[id^=do-sign-]").count() == 0
    assert page.locator("#do-reject").count() == 0 and page.locator("#do-approve").count() == 0

    # the sales manager sees the band, the share, the evidence and both required sign-offs, and signs
    page2, errors2 = login(browser, live_server.url, "bj_sales_mgr")
    page2.goto(url)
    expect(page2.locator("#allowance-band")).to_have_text("第 2 档")
    expect(page2.locator("#invoice-amount")).to_contain_text("2,000,000.00")
    expect(page2.locator("#allowance-share")).to_contain_text("2.50 %")
    expect(page2.locator("#allowance-evidence")).to_have_text("销货折让证明单 2025-11")
    expect(page2.locator("#sign-off-sales_manager")).to_contain_text("销售经理")
    expect(page2.locator("#sign-off-sales_manager")).to_contain_text("等待签批")
    expect(page2.locator("#sign-off-finance_manager")).to_contain_text("财务经理")
    expect(page2.locator("#sign-off-finance_manager")).to_contain_text("等待签批")
    assert page2.locator("#sign-off-general_manager").count() == 0  # band 2 needs no general manager
    expect(page2.locator("#do-sign-sales_manager")).to_have_text("以销售经理身份同意")
    expect(page2.locator("#do-reject")).to_have_text("驳回折让")
    assert page2.locator("#do-sign-finance_manager").count() == 0  # he holds no finance role
    page2.locator("#id_reason").fill("价格差异属实")
    page2.locator("#do-sign-sales_manager").click()
    expect(page2.locator("#sign-off-sales_manager")).to_contain_text("bj_sales_mgr")
    expect(page2.locator("#sign-off-sales_manager")).to_contain_text("价格差异属实")
    # still waiting for finance; he has signed, so no more buttons for him
    expect(page2.locator("#ticket-state")).to_have_text("已受理")
    expect(page2.locator("#sign-off-finance_manager")).to_contain_text("等待签批")
    assert page2.locator("[id^=do-sign-]").count() == 0 and page2.locator("#do-reject").count() == 0
    assert Ticket.objects.get(pk=ticket.pk).state == "received"
    assert not ReceivableReduction.objects.filter(ticket=ticket).exists()

    # a service supervisor has no sign-off in the chain: no button
    page4, errors4 = login(browser, live_server.url, "bj_super")
    page4.goto(url)
    expect(page4.locator("#allowance-approval")).to_be_visible()
    assert page4.locator("[id^=do-sign-]").count() == 0 and page4.locator("#do-approve").count() == 0

    # the finance manager signs the last required sign-off: approved, the receivable is reduced
    page3, errors3 = login(browser, live_server.url, "hq_fin_mgr")
    page3.goto(url)
    assert page3.locator("#do-sign-sales_manager").count() == 0
    page3.locator("#do-sign-finance_manager").click()
    expect(page3.locator("#ticket-state")).to_have_text("已批准")
    expect(page3.locator("#sign-off-finance_manager")).to_contain_text("hq_fin_mgr")
    expect(page3.locator("#allowance-approval")).not_to_contain_text("等待签批")
    assert page3.locator("[id^=do-sign-]").count() == 0 and page3.locator("#do-reject").count() == 0
    ticket.refresh_from_db()
    assert ticket.state == "approved" and ticket.approved_by.username == "hq_fin_mgr"
    reduction = ReceivableReduction.objects.get(ticket=ticket)
    assert reduction.reduction_amount == Decimal("50000.00") and reduction.customer_id == customer.pk
    assert reduction.source == "allowance"

    # the agent's page shows the approved allowance, still without buttons
    page.goto(url)
    expect(page.locator("#ticket-state")).to_have_text("已批准")
    assert page.locator("[id^=do-sign-]").count() == 0
    assert errors == [] and errors2 == [] and errors3 == [] and errors4 == []
