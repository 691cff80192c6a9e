"""Terminating a customer in a real Chromium: the reason has no default, the explanation and a confirmation
are required; one click on 终止 alone changes nothing. The audit row keeps the reason and the explanation."""

from __future__ import annotations

import pytest
from tests.browser.support import login
from tests.conftest import build_world

from kehu.core.models import AuditEvent
from kehu.customers.events import CustomerEvent
from kehu.customers.models import Customer

pytestmark = pytest.mark.browser


def test_termination_asks_for_a_reason_and_a_confirmation(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    customer = world.admit(world.enterprise(name="北京鑫源铜业有限公司"))
    page, errors = login(browser, live_server.url, "bj_office")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("#action-terminate summary").click()
    form = page.locator("#action-terminate form")
    form.get_by_role("button").click()  # one click: refused, nothing changes
    expect(page.locator("#action-terminate")).to_have_attribute("open", "")
    assert Customer.objects.get(pk=customer.pk).admission_status == customer.admission_status
    page.locator("#id_terminate-reason").select_option("false_information")
    page.locator("#id_terminate-note").fill("提供虚假营业执照")
    page.locator("#action-terminate form").get_by_role("button").click()  # not confirmed: refused again
    expect(page.locator("#action-terminate")).to_have_attribute("open", "")
    assert Customer.objects.get(pk=customer.pk).admission_status == customer.admission_status
    expect(page.locator("#id_terminate-note")).to_have_value("提供虚假营业执照")  # kept, with the error shown
    page.locator("#id_terminate-reason").select_option("false_information")
    page.locator("#id_terminate-confirm").check()
    page.locator("#action-terminate form").get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("合作已终止")
    customer.refresh_from_db()
    assert (customer.admission_status, customer.termination_reason) == ("terminated", "false_information")
    row = AuditEvent.objects.get(event_code=CustomerEvent.CUSTOMER_TERMINATED, object_id=str(customer.pk))
    assert row.reason == "提供虚假营业执照" and row.new_values["termination_reason"] == "false_information"
    assert errors == []

