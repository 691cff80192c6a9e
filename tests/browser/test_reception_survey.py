"""Reception to satisfaction in a real Chromium: a service agent books a visit on the page, checks the
visitor in and out; the survey dispatcher sends the survey; the visitor answers on the public page
without logging in (and cannot answer twice); the supervisor reads the CSAT report.
Run with ``pytest -m browser``; Chromium comes from the system (/usr/bin/chromium)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.core import calendar as cr
from kehu.core import services as core_services
from kehu.core.selectors import calendar_for
from kehu.outbox.models import Message
from kehu.reception.models import Visit
from kehu.surveys.models import Answer, Invitation
from kehu.surveys.services import surveys_dispatch

pytestmark = pytest.mark.browser


def next_working_day_at_ten(org_path: str) -> datetime:
    cal = calendar_for(org_path)
    day = timezone.localdate() + timedelta(days=1)
    while not cr.is_working_day(day, cal):
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), timezone.get_current_timezone())


def test_booking_to_answered_survey_to_csat_report(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    build_world()
    agent = core_services.user_create(username="bj_agent", org_code="BJ", roles=["service_agent"],
                                      password=PASSWORD, actor=None)
    core_services.user_create(username="bj_super", org_code="BJ", roles=["service_supervisor"], password=PASSWORD,
                              actor=None)
    start = next_working_day_at_ten(agent.org_unit.path)

    page, errors = login(browser, live_server.url, "bj_agent")
    page.goto(live_server.url + "/reception/")
    page.locator("#new-visit").click()
    page.locator("#id_visitor_kind").select_option("prospect")
    page.locator("#id_visitor_name").fill("欧阳明")
    page.locator("#id_visitor_organisation").fill("星河物流有限公司")
    page.locator("#id_visitor_phone").fill("13912345678")
    page.locator("#id_purpose").fill("运输合同洽谈")
    page.locator("#id_scheduled_start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_expected_minutes").fill("60")
    page.locator("#book-visit").click()
    expect(page.locator("#visit-state")).to_have_text("已预约")
    visit = Visit.objects.get()
    assert not visit.outside_hours and page.url.endswith(f"/reception/visits/{visit.pk}/")
    assert "欧阳明" not in page.content() and "欧**" in page.content()  # masked on the page

    page.locator("#action-checked_in").click()
    expect(page.locator("#visit-state")).to_have_text("已登记到访")
    page.locator("#action-in_meeting").click()
    expect(page.locator("#visit-state")).to_have_text("会谈中")
    page.locator("#action-checked_out").click()
    expect(page.locator("#visit-state")).to_have_text("已离开")
    expect(page.locator("#history tbody tr")).to_have_count(4)

    # the dispatcher, a day later: the survey goes out by SMS with a single-use link
    later = timezone.now() + timedelta(hours=25)
    assert surveys_dispatch(now=later)["visit"] == 1
    invitation = Invitation.objects.get()
    token = re.search(r"/s/([^/\s]+)/", Message.objects.get(pk=invitation.message_id).body).group(1)

    public = browser.new_context(locale="zh-CN").new_page()  # the visitor: no login
    public.goto(f"{live_server.url}/s/{token}/")
    expect(public.locator("h1")).to_have_text("来访满意度调查")
    assert "欧阳" not in public.content() and "星河" not in public.content()
    public.locator("#overall-5").check()
    public.locator("#reception-4").check()
    public.locator("#arrangement-5").check()
    public.locator("#comment").fill("接待周到")
    public.locator("#submit-survey").click()
    expect(public.locator("#thanks")).to_have_text("感谢您的答复。")
    assert Answer.objects.get().overall == 5
    public.goto(f"{live_server.url}/s/{token}/")  # the link works once
    expect(public.locator("#closed-reason")).to_have_text("谢谢，您的答复已经记录。")

    supervisor, errors2 = login(browser, live_server.url, "bj_super")
    month = timezone.localtime(later).strftime("%Y-%m")
    supervisor.goto(f"{live_server.url}/surveys/?start={month}&end={month}")
    expect(supervisor.locator("#csat-total")).to_have_text("100.0")
    expect(supervisor.locator("#by-channel tbody tr")).to_have_count(1)
    supervisor.locator("#by-channel a").first.click()
    expect(supervisor.locator("#answers tbody tr")).to_have_count(1)
    expect(supervisor.locator("#answers")).to_contain_text("接待周到")
    assert errors == [] and errors2 == []
