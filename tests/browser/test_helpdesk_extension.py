"""Extensions of a financial consumer's complaint in a real Chromium (domain spec S-6): the first extension
moves 办结截止 and the remaining time to 30 days from receipt, the senior-approved second one to 60 days at
most; the notices to the complainant carry the Shanghai date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.core import services as core_services
from kehu.core.calendar import SHANGHAI
from kehu.helpdesk import services
from kehu.helpdesk.models import Ticket

pytestmark = pytest.mark.browser


def _day(moment) -> str:
    local = timezone.localtime(moment, SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日"


def test_extensions_move_the_due_time_on_the_ticket_page(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    agent = core_services.user_create(username="bj_agent", org_code="BJ", roles=["service_agent"],
                                      password=PASSWORD, actor=None)
    core_services.user_create(username="hq_super", org_code="HQ", roles=["service_supervisor"], password=PASSWORD,
                              actor=None)
    received = timezone.now()
    ticket = services.ticket_open(actor=agent, customer_id=world.enterprise().pk, kind="complaint",
                                  subject="理财产品赎回延迟", financial_consumer=True, now=received)
    for to in ("acknowledged", "investigating"):
        services.ticket_transition(actor=agent, ticket_id=ticket.pk, to=to)
    url = f"{live_server.url}/helpdesk/{ticket.pk}/"
    page, errors = login(browser, live_server.url, "bj_agent")
    page.goto(url)
    due = page.locator("#resolution-due")
    before = due.inner_text()
    seconds_before = int(page.locator("#sla-remaining").get_attribute("data-countdown"))
    assert seconds_before < 10 * 24 * 3600  # five working days of working time

    page.locator("#id_reason").fill("需第三方检测")
    page.locator("#do-extended_30").click()
    expect(page.locator("#ticket-state")).to_contain_text("延期")
    ticket.refresh_from_db()
    limit_30 = timezone.localtime(received, SHANGHAI).replace(hour=23, minute=59, second=59, microsecond=0) \
        + timedelta(days=30)
    assert ticket.resolution_due == ticket.regulatory_due == limit_30
    assert due.inner_text() != before and _day(limit_30) in due.inner_text()
    assert _day(limit_30) in page.locator("#regulatory-due").inner_text()
    seconds_30 = int(page.locator("#sla-remaining").get_attribute("data-countdown"))
    assert 29 * 24 * 3600 < seconds_30 <= 31 * 24 * 3600  # the countdown follows the extended limit
    today = timezone.localtime(timezone.now(), SHANGHAI).date().isoformat()
    expect(page.locator("#notices")).to_contain_text(today + " 需第三方检测")

    page.locator("#id_reason").fill("特别复杂，需司法鉴定")
    page.locator("#do-request_extension").click()
    expect(page.locator("#extension-request")).to_be_visible()
    senior, errors2 = login(browser, live_server.url, "hq_super")
    senior.goto(url)
    senior.locator("#do-approve_extension").click()
    expect(senior.locator("#ticket-state")).to_contain_text("60")
    limit_60 = limit_30 + timedelta(days=30)
    assert _day(limit_60) in senior.locator("#resolution-due").inner_text()
    seconds_60 = int(senior.locator("#sla-remaining").get_attribute("data-countdown"))
    assert 59 * 24 * 3600 < seconds_60 <= 61 * 24 * 3600
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.regulatory_due == ticket.resolution_due == limit_60  # 60 days from receipt, no more
    assert [n["date"] for n in ticket.data["notices"]] == [today, today]
    assert errors == [] and errors2 == []
