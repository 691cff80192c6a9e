"""The customer page in a real Chromium: a customer manager opens a customer, logs a call with a follow-up
for a colleague; the colleague sees the reminder in the inbox on the due day, opens the customer from it
and marks it done; the call and the follow-up are on the customer's timeline."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.browser.support import login
from tests.conftest import build_world

from kehu.activities.models import FollowUpTask

pytestmark = pytest.mark.browser


def test_log_a_call_with_a_follow_up_and_the_colleague_marks_it_done(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    firm = world.admit(world.enterprise(name="北京鑫源铜业有限公司"))
    today = timezone.localdate()

    page, errors = login(browser, live_server.url, "bj_cm")
    page.goto(f"{live_server.url}/customers/{firm.pk}/")
    expect(page.locator("#card-archive")).to_contain_text("准入状态")
    expect(page.locator("#card-contact")).to_contain_text("暂无记录")
    page.locator("#action-activity summary").click()
    page.locator("#id_activity-kind").select_option("call")
    page.locator("#id_activity-summary").fill("询问二季度订货计划")
    page.locator("#id_activity-outcome").fill("客户下周确认数量")
    page.locator("#id_activity-follow_up_title").fill("寄送报价单")
    page.locator("#id_activity-follow_up_assignee").select_option(str(world.bj_sales.pk))
    page.locator("#id_activity-follow_up_due_on").fill(today.isoformat())
    page.locator("#action-activity button[type=submit]").click()
    expect(page.locator("#recent-activities")).to_contain_text("询问二季度订货计划")
    expect(page.locator("#card-contact")).to_contain_text("电话")
    expect(page.locator("#timeline")).to_contain_text("询问二季度订货计划")
    task = FollowUpTask.objects.get(customer=firm)
    if task.due_on != today:  # today is a holiday or a weekend: the reminder is due on the next working day
        FollowUpTask.objects.filter(pk=task.pk).update(due_on=today)

    colleague, errors2 = login(browser, live_server.url, "bj_sales")
    expect(colleague.locator("#inbox-follow_ups_due")).to_contain_text("寄送报价单")
    colleague.locator("#inbox-follow_ups_due a").first.click()
    expect(colleague.locator("#customer-open-tasks")).to_contain_text("寄送报价单")
    colleague.locator("#customer-open-tasks button").click()
    expect(colleague.locator(".messages")).to_contain_text("跟进任务已完成")
    assert FollowUpTask.objects.get(pk=task.pk).status == "done"
    colleague.goto(live_server.url + "/")
    assert colleague.locator("#inbox-follow_ups_due").count() == 0
    colleague.goto(f"{live_server.url}/customers/{firm.pk}/timeline/?kind=follow_up")
    expect(colleague.locator("ol.cust-timeline")).to_contain_text("完成跟进任务")
    assert errors == [] and errors2 == []
