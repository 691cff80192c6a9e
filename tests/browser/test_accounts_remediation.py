"""Personal accounts in a real Chromium: a customer manager sees an account's limits used and the person's
Class III total, finds the overdue remediation task in the inbox from the menu, records the valid ID (file
upload, expiry, occupation, address) and the task leaves the overdue report. Run with ``pytest -m browser``."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from tests.browser.support import login
from tests.conftest import build_world

from kehu.accounts import services
from kehu.accounts.models import RemediationTask
from kehu.accounts.rules import SHANGHAI
from kehu.core.models import RuleParameter

pytestmark = pytest.mark.browser


def test_customer_manager_completes_an_overdue_remediation(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    person = world.individual(name="周晓明")
    services.account_open(actor=world.bj_cm, customer_id=person.pk, account_no="6217000000000099", tier="III",
                          opened_on=date(2024, 1, 1), channel="online", identity_check="five_elements",
                          bound_account_no="6222000000000001", bound_kind="class1", bound_same_bank=True)
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="1500.00",
                                 effective_from=date(2020, 1, 1), status=RuleParameter.Status.APPROVED)
    for n, (kind, amount) in enumerate([("bound_in", "1000.00"), ("consumption_payment", "600.00")]):
        txn = services.parse_txn(txn_id=f"B{n}", account_no="6217000000000099",
                                 posted_at=datetime(2024, 3, 1, 9 + n, tzinfo=SHANGHAI),
                                 direction="in" if kind == "bound_in" else "out", type=kind, amount=amount)
        services.transaction_post(actor=world.bj_cm, txn=txn)
    task = RemediationTask.objects.get()

    page, errors = login(browser, live_server.url, "bj_cm")
    page.goto(f"{live_server.url}/accounts/6217000000000099/")
    expect(page.locator("h1")).to_contain_text("Ⅲ类户")
    expect(page.locator("body")).to_contain_text("Ⅲ类户资金双边收付累计")
    assert person.id_number not in page.content()
    page.get_by_role("link", name="Ⅲ类户身份补正").first.click()
    page.goto(f"{live_server.url}/accounts/tasks/?state=overdue")
    page.get_by_role("link", name=str(task.pk), exact=True).click()
    page.locator("#id_id_file").set_input_files({"name": "id.jpg", "mimeType": "image/jpeg", "buffer": b"JPEG"})
    page.locator("#id_id_expires_on").fill("2036-05-01")
    page.locator("#id_occupation").fill("会计")
    page.locator("#id_address").fill("北京市朝阳区建国路88号")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("body")).to_contain_text("身份补正已登记")
    task.refresh_from_db()
    assert task.status == "done" and task.id_expires_on == date(2036, 5, 1)
    assert errors == []
