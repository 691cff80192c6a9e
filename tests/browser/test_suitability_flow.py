"""From the risk questionnaire to an active subscription in a real Chromium: a customer manager opens the
investor's profile, attaches evidence, answers the questionnaire (C4), subscribes an R4 collective plan and
walks every step; the office makes the call-back once the 24-hour cooling-off period is over.
Run with ``pytest -m browser``; Chromium comes from the system (/usr/bin/chromium)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.support import login
from tests.conftest import build_world

from kehu.suitability import services
from kehu.suitability.defaults import ensure_default_questionnaire
from kehu.suitability.models import Questionnaire, Subscription

pytestmark = pytest.mark.browser


def test_questionnaire_to_active_subscription(transactional_db, live_server, browser, tmp_path):
    from playwright.sync_api import expect

    ensure_default_questionnaire(Questionnaire)  # an earlier test with real transactions may have emptied it
    world = build_world()
    customer = world.individual(name="王小明")
    product = services.product_create(actor=world.bj_office, code="JH-R4", name="成长二号集合计划",
                                      plan_kind="collective", product_type="equity", risk_level="R4",
                                      minimum_amount="1000000.00", org_code="BJ")
    proof = tmp_path / "bank-statement.pdf"
    proof.write_bytes(b"%PDF-1.4 bank statement")

    page, errors = login(browser, live_server.url, "bj_cm")
    page.goto(live_server.url + "/suitability/")
    page.locator("#new-profile").click()
    page.locator("#customer_id").fill(str(customer.pk))
    page.locator("#financial_assets_amount").fill("6000000.00")
    page.locator("#household_financial_net_assets_amount").fill("3500000.00")
    page.locator("#average_income_amount").fill("450000.00")
    page.locator("#investment_experience_years").fill("5")
    page.locator("#facts_confirmed").check()
    page.locator("#save-profile").click()
    expect(page.locator("h1")).to_contain_text("投资者档案")
    expect(page.locator("h1")).to_contain_text("王*")  # the individual's name is masked

    page.locator("#evidence-file").set_input_files(str(proof))
    page.locator("#add-evidence").click()
    expect(page.locator("#evidence")).to_contain_text("bank-statement.pdf")

    # answers scoring 15 of 20: C4
    for question, option in [("experience", "e"), ("income", "e"), ("loss", "e"), ("goal", "d"), ("horizon", "a")]:
        page.locator(f"#q_{question}_{option}").check()
    page.locator("#submit-questionnaire").click()
    expect(page.locator("#investor-class")).to_contain_text("C4")

    page.locator("#product").select_option(label="JH-R4 成长二号集合计划 (R4)")
    page.locator("#amount").fill("1000000.00")
    page.locator("#subscribe").click()
    expect(page.locator("#sub-state")).to_have_text("草稿")
    sub = Subscription.objects.get(investor__customer=customer)
    assert sub.product == product

    for label, state in [("确认客户身份识别", "已完成客户身份识别"), ("适当性匹配检查", "适当性匹配")]:
        page.get_by_role("button", name=label).click()
        expect(page.locator("#sub-state")).to_have_text(state)
    expect(page.locator("#disclosure")).to_contain_text("本计划不承诺保本")
    page.locator("#esignature_ref").fill("CA-2026-0001")
    page.get_by_role("button", name="记录已签署的风险揭示书").click()
    expect(page.locator("#sub-state")).to_have_text("已签署风险揭示书")
    page.get_by_role("button", name="已签署合同").click()
    expect(page.locator("#sub-state")).to_have_text("已签署合同")
    page.get_by_role("button", name="款项到账：开始冷静期").click()
    expect(page.locator("#sub-state")).to_have_text("冷静期")
    expect(page.locator("#cooling-off-end")).to_be_visible()

    # The call-back is refused during the cooling-off period ...
    page.locator("#callback_note").fill("客户确认认购意愿")
    page.get_by_role("button", name="记录回访").click()
    expect(page.locator(".msg")).to_contain_text("冷静期于")
    expect(page.locator("#sub-state")).to_have_text("冷静期")

    # ... and allowed once 24 hours have passed (the clock moved forward: the end is set into the past).
    sub.refresh_from_db()
    assert sub.cooling_off_end - sub.history.get(to_state="cooling_off").at == timedelta(hours=24)
    Subscription.objects.filter(pk=sub.pk).update(cooling_off_end=timezone.now() - timedelta(minutes=1))
    office, office_errors = login(browser, live_server.url, "bj_office")
    office.goto(f"{live_server.url}/suitability/subscriptions/{sub.pk}/")
    office.locator("#callback_note").fill("客户确认认购意愿，了解产品风险")
    office.get_by_role("button", name="记录回访").click()
    expect(office.locator("#sub-state")).to_have_text("已回访")
    office.get_by_role("button", name="认购生效").click()
    expect(office.locator("#sub-state")).to_have_text("生效")
    expect(office.locator("#history li")).to_have_count(8)

    sub.refresh_from_db()
    assert sub.state == "active" and sub.explained_by == world.bj_cm and sub.esignature_ref == "CA-2026-0001"
    assert errors == [] and office_errors == []
