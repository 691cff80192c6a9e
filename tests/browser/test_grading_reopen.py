"""A closed grading month is reopened from the web: a reason, a confirmation, the same permission as the API
(a customer manager gets no form and is refused), and the audited reopen."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.core import services as core_services
from kehu.core.models import AuditEvent
from kehu.grading.events import GradingEvent
from kehu.grading.models import GradingRun
from kehu.grading.services import policies
from kehu.grading.services.run import run_period

pytestmark = pytest.mark.browser


def test_reopen_a_closed_month_from_the_runs_page(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    office = core_services.user_create(username="hq_office", org_code="HQ", roles=["customer_office"],
                                       password=PASSWORD, actor=None)
    draft = policies.policy_create(actor=office, name="默认评分卡")
    policies.policy_approve(actor=world.hq_committee1, policy_id=draft.pk)
    world.admit(world.enterprise())
    run_period(actor=None, period="2026-10")
    assert GradingRun.objects.get().state == "closed"

    manager = Client()
    manager.force_login(world.bj_cm)
    assert "reopen-2026-10" not in manager.get("/grading/").content.decode()
    assert manager.post("/grading/reopen/2026-10/", {"reason": "数据更正"}).status_code == 403

    page, errors = login(browser, live_server.url, "hq_office")
    page.goto(live_server.url + "/grading/")
    page.locator("#reopen-2026-10 summary").click()
    page.locator("#reopen-2026-10 textarea[name=reason]").fill("九月开票数据补录后重新评级")
    page.once("dialog", lambda dialog: dialog.dismiss())  # cancelled: nothing happens
    page.locator("#reopen-2026-10 button").click()
    assert GradingRun.objects.get().state == "closed"
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#reopen-2026-10 button").click()
    expect(page.locator(".msg.success")).to_contain_text("2026-10")
    run = GradingRun.objects.get()
    assert run.state == "reopened" and run.reopen_reason == "九月开票数据补录后重新评级"
    event = AuditEvent.objects.get(event_code=GradingEvent.RUN_REOPENED)
    assert event.actor_id == office.pk and event.reason == run.reopen_reason
    assert page.locator("#reopen-2026-10").count() == 0  # no longer closed
    assert errors == []
