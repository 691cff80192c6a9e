"""Personal-information rights and backups in a real Chromium. The privacy officer finds an access request a
customer manager took at the counter, records how the identity was verified, downloads the export of the
person's data and closes the request; the system administrator is warned on the dashboard when the last
good backup is older than 26 hours, and the warning goes once a backup is made.
Run with ``pytest -m browser``; Chromium comes from the system (/usr/bin/chromium)."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone
from tests.browser.support import login
from tests.conftest import PASSWORD, build_world

from kehu.backup.models import BackupRun
from kehu.backup.services import backup_create
from kehu.core import services as core_services
from kehu.core import twofactor
from kehu.core.models import AuditEvent, User
from kehu.customers import services as customer_services
from kehu.privacy import services as privacy
from kehu.privacy.events import PrivacyEvent
from kehu.privacy.models import DataSubjectRequest, RequestState

pytestmark = pytest.mark.browser


def test_privacy_officer_verifies_exports_and_closes_an_access_request(transactional_db, live_server, browser,
                                                                         tmp_path, monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setenv("KEHU_ERASURE_LEDGER", str(tmp_path / "erasures.jsonl"))
    world = build_world()
    core_services.user_create(username="po", org_code="HQ", roles=["privacy_officer"], password=PASSWORD, actor=None)
    customer = world.individual(name="张三丰")
    customer_services.contact_add(actor=world.bj_cm, customer_id=customer.pk, name="李四", phone="13900139000")
    request = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="access", channel="counter",
                                      detail="要求查阅并复制本人信息")

    page, errors = login(browser, live_server.url, "po", timeout=30000, accept_downloads=True)
    page.get_by_role("link", name="个人信息保护").click()
    expect(page.locator("h1")).to_have_text("个人信息权利请求")
    row = page.locator("tr", has_text=f"#{customer.pk}")
    expect(row).to_contain_text("张**")  # masked on the page
    expect(row).to_contain_text("查阅、复制")
    expect(row).to_contain_text("已受理")
    expect(row.get_by_role("button", name="导出个人信息")).to_have_count(0)  # not before the identity is verified

    row.get_by_label("备注").fill("柜面核验身份证原件")
    row.get_by_role("button", name="身份已核验").click()
    expect(page.locator(".msg")).to_contain_text("已保存")
    row = page.locator("tr", has_text=f"#{customer.pk}")
    expect(row).to_contain_text("身份已核验")

    with page.expect_download() as download_info:
        row.get_by_role("button", name="导出个人信息").click()
    download = download_info.value
    assert download.suggested_filename == f"personal-data-{request.pk}.json"
    data = json.loads(open(download.path(), encoding="utf-8").read())
    assert data["客户"]["名称"] == "张三丰" and data["客户"]["身份证号"] == customer.id_number
    assert data["联系人"][0]["电话"] == "13900139000"

    row.get_by_label("备注").fill("已当面向本人提供个人信息副本")
    row.locator("button[value=complete]").click()  # 办结
    expect(page.locator(".msg")).to_contain_text("已保存")
    expect(page.locator("table").first).to_contain_text("没有待办请求")

    done = DataSubjectRequest.objects.get(pk=request.pk)
    assert done.state == RequestState.DONE and done.outcome == "已当面向本人提供个人信息副本"
    assert done.verification == "柜面核验身份证原件" and done.closed_by.username == "po"
    codes = list(AuditEvent.objects.filter(object_type="privacy_request", object_id=str(request.pk))
                 .order_by("pk").values_list("event_code", flat=True))
    assert codes == [PrivacyEvent.REQUEST_RECEIVED, PrivacyEvent.REQUEST_VERIFIED, PrivacyEvent.REQUEST_EXPORTED,
                     PrivacyEvent.REQUEST_DONE]
    assert errors == []


def _sysadmin_login(browser, base: str):
    """The system administrator logs in with the second factor (enrolled beforehand through the service)."""
    from playwright.sync_api import expect

    admin = User.objects.get(username="admin")
    secret = twofactor.totp_begin(user=admin)
    twofactor.totp_confirm(user=admin, code=pyotp.TOTP(secret).now())
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(base + "/login/code/")
    step = User.objects.get(username="admin").totp_last_step + 1
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).generate_otp(step))
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".topbar .user")).to_have_text("admin")
    return page, errors


def test_sysadmin_is_warned_when_the_last_good_backup_is_older_than_26_hours(transactional_db, live_server, browser,
                                                                              tmp_path):
    from playwright.sync_api import expect

    world = build_world()
    world.individual()
    run = backup_create(to=tmp_path / "sets")
    BackupRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(hours=27))

    page, errors = _sysadmin_login(browser, live_server.url)
    page.goto(live_server.url + "/")
    warning = page.locator("p.notice[role=alert]")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("最近一次成功备份已是 27 小时前")
    expect(warning).to_contain_text("上限 26 小时")

    # The customer manager is not told: the backups are the system administrator's.
    manager, manager_errors = login(browser, live_server.url, "bj_cm", timeout=30000)
    manager.goto(live_server.url + "/")
    expect(manager.locator("p.notice[role=alert]")).to_have_count(0)

    backup_create(to=tmp_path / "sets")
    page.reload()
    expect(page.locator("p.notice[role=alert]")).to_have_count(0)
    assert errors == [] and manager_errors == []
