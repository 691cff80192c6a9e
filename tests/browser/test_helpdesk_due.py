"""The ticket list in Chromium: overdue and near-due tickets are marked, their remaining time counts down
(kehu.js, no CDN), a click on the due column sorts by due time, and the ticket page shows the same mark."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.core import services as core_services
from kehu.helpdesk import services
from kehu.helpdesk.models import Ticket

pytestmark = pytest.mark.browser


def test_ticket_list_marks_counts_down_and_sorts(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    agent = core_services.user_create(username="bj_agent", org_code="BJ", roles=["service_agent"],
                                      password=PASSWORD, actor=None)
    company = world.enterprise(name="北京鑫源铜业有限公司")
    now = timezone.now()
    tickets = {}
    # a calendar clock runs on wall time: the countdown ticks whatever the hour of the test
    for subject, received, due in (("已超时", 5, -1), ("时间充裕", 1, 9), ("快到期", 9, 1)):
        ticket = services.ticket_open(actor=agent, customer_id=company.pk, kind="enquiry", subject=subject)
        Ticket.objects.filter(pk=ticket.pk).update(sla_unit="calendar_days", received_at=now - timedelta(days=received),
                                                   resolution_due=now + timedelta(days=due))
        tickets[subject] = ticket.pk

    page, errors = login(browser, live_server.url, "bj_agent")
    page.goto(live_server.url + "/helpdesk/")
    assert page.title().startswith("服务工单")
    late = page.locator(f"#ticket-{tickets['已超时']}")
    expect(late.locator(".due-badge")).to_have_text("逾期")
    expect(page.locator(f"#ticket-{tickets['快到期']} .due-badge")).to_have_text("即将到期")
    assert page.locator(f"#ticket-{tickets['时间充裕']} .due-badge").count() == 0
    clock = page.locator(f"#ticket-{tickets['时间充裕']} .countdown")
    expect(clock).to_contain_text(":")
    first = clock.inner_text()
    page.wait_for_timeout(1500)
    assert clock.inner_text() != first  # counts down in the browser
    assert late.locator(".countdown").inner_text().startswith("-")

    page.locator("#sort-due").click()
    expect(page.locator("#sort-newest")).to_be_visible()
    ids = [row.get_attribute("id") for row in page.locator("#tickets tbody tr").all()]
    assert ids == [f"ticket-{tickets[s]}" for s in ("已超时", "快到期", "时间充裕")]

    page.locator(f"#ticket-{tickets['已超时']} a").first.click()
    expect(page.locator("#sla-clock .due-badge")).to_have_text("逾期")
    assert page.title().startswith("咨询") or f"#{tickets['已超时']}" in page.title()
    assert errors == []
