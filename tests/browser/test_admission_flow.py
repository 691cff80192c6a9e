"""The admission review in a real Chromium, the way staff meet it: log in in Chinese, create an
enterprise customer, file its papers, submit, and move it through every review step with the right
users until the page says 合格 (qualified).

Run only this file with ``pytest -m browser``. Chromium comes from the system (Debian's package at
/usr/bin/chromium); a browser is never downloaded.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from tests.conftest import DEPARTMENTS, PASSWORD, build_world

from kehu.customers.generators import make_uscc
from kehu.customers.models import AdmissionApplication, Customer

SHOTS = Path("/tmp/kehu-shots")

pytestmark = pytest.mark.browser




class Staff:
    """One browser tab, used by one user after another. Fails on any request that leaves kehu."""

    def __init__(self, browser, base_url: str) -> None:
        self.base = base_url
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))

    def _request(self, request) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith("data:"):
            self.foreign.append(request.url)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def login(self, username: str) -> None:
        from playwright.sync_api import expect

        self.goto("/login/")
        expect(self.page.locator("h1")).to_have_text("登录 kehu 客户管理系统")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.locator(".topbar .user")).to_have_text(username)

    def logout(self) -> None:
        from playwright.sync_api import expect

        self.page.get_by_role("button", name="退出登录").click()
        expect(self.page.get_by_role("button", name="登录")).to_be_visible()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def message(self) -> str:
        return self.page.locator(".messages").inner_text()


def test_enterprise_customer_goes_from_creation_to_qualified(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    build_world()
    staff = Staff(browser, live_server.url)
    page = staff.page
    today = timezone.localdate()
    uscc = make_uscc(random.Random(20261128))
    name = "北京华鑫有色金属有限公司"

    # --- the customer manager: log in in Chinese, create the customer, file its papers, submit.
    staff.login("bj_cm")
    expect(page.get_by_role("link", name="工作台")).to_be_visible()
    page.get_by_role("link", name="新建客户").first.click()
    expect(page.locator("h1")).to_have_text("新建客户")
    expect(page.get_by_label("企业", exact=True)).to_be_checked()
    # The kind switch hides what does not apply to an enterprise.
    expect(page.locator("#id_id_number")).to_be_hidden()
    page.get_by_label("个人", exact=True).check()
    expect(page.locator("#id_id_number")).to_be_visible()
    expect(page.locator("#id_uscc")).to_be_hidden()
    page.get_by_label("企业", exact=True).check()
    page.locator("#id_name").fill(name)
    page.locator("#id_uscc").fill(uscc)
    page.locator("#id_legal_representative").fill("王建国")
    page.locator("#id_registered_capital_amount").fill("50000000")
    page.locator("#id_industry").fill("有色金属")
    page.locator("#id_region").fill("北京")
    page.locator("#id_business_scope").fill("有色金属产品的生产与销售")
    page.get_by_role("button", name="创建客户").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    assert "已创建" in staff.message()
    customer = Customer.objects.get(uscc=uscc)
    expect(page.locator("#customer-status")).to_have_text("潜在客户")
    detail = f"/customers/{customer.pk}/"

    page.locator("#action-licence summary").click()
    licence = page.locator("#action-licence form")
    licence.get_by_label("类型").select_option(label="营业执照")
    licence.get_by_label("编号").fill(uscc)
    licence.get_by_label("发证机关").fill("北京市朝阳区市场监督管理局")
    licence.get_by_label("有效期自").fill((today - timedelta(days=400)).isoformat())
    licence.get_by_label("有效期至").fill((today + timedelta(days=3000)).isoformat())
    licence.get_by_role("button", name="添加证照").click()
    assert "证照已添加" in staff.message()
    expect(page.locator("#licences tbody")).to_contain_text("营业执照")
    expect(page.locator("#licences tbody .badge")).to_have_text("有效")

    page.locator("#action-contract summary").click()
    contract = page.locator("#action-contract form")
    contract.get_by_label("合同编号").fill("HX-2026-001")
    contract.get_by_label("标题").fill("电解铜年度购销合同")
    contract.get_by_label("签订日期").fill((today - timedelta(days=10)).isoformat())
    contract.get_by_label("金额（元）").fill("12000000.00")
    contract.get_by_role("button", name="备案").click()
    assert "合同已备案" in staff.message()
    expect(page.locator("#contracts tbody")).to_contain_text("HX-2026-001")
    expect(page.locator("#contracts tbody")).to_contain_text("12,000,000.00")

    application_form = page.locator("#action-apply form")
    application_form.get_by_label("预计年交易额（元）").fill("30000000")
    application_form.get_by_label("业务在客户核准的经营范围之内").check()
    application_form.get_by_label("主要采购产品").fill("电解铜、铝锭")
    application_form.get_by_label("开户银行").fill("中国工商银行北京朝阳支行")
    application_form.get_by_role("button", name="保存草稿").click()
    assert "草稿" in staff.message()
    expect(page.locator("#checklist")).to_contain_text("准入条件均已满足")
    page.locator("#action-submit").get_by_role("button", name="提交").click()
    assert "已提交审查" in staff.message()
    expect(page.locator("#application-status")).to_have_text("已提交")
    # Four-eyes: the submitter is offered no review step of their own application.
    expect(page.locator("#action-sales_check")).to_have_count(0)
    staff.logout()

    # --- another customer manager does the sales pre-check; the inbox shows it first.
    staff.login("bj_sales")
    expect(page.locator("#inbox-sales_check")).to_contain_text(name)
    staff.shot("dashboard")
    page.locator("#inbox-sales_check").get_by_role("link", name=name).click()
    page.locator("#action-sales_check").get_by_label("意见说明").fill("资料齐全，同意初审。")
    page.get_by_role("button", name="初审通过").click()
    expect(page.locator("#application-status")).to_have_text("销售部门初审通过")
    staff.logout()

    # --- the customer-management office.
    staff.login("bj_office")
    staff.goto(detail)
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#application-status")).to_have_text("客户管理办公室审核通过")
    staff.logout()

    # --- the department reviewer gives the opinion of each of the five departments.
    staff.login("bj_dept")
    staff.goto(detail)
    for _ in DEPARTMENTS:
        opinion = page.locator("#action-opinion form")
        expect(opinion.locator("#id_opinion-opinion")).to_have_value("approve")
        opinion.get_by_role("button", name="提交意见").click()
        assert "部门意见已记录" in staff.message()
    expect(page.locator("#application-status")).to_have_text("部门意见已齐")
    expect(page.locator("#action-opinion")).to_have_count(0)
    staff.logout()

    # --- two members of the customer-management committee vote to approve.
    for member in ("hq_committee1", "hq_committee2"):
        staff.login(member)
        staff.goto(detail)
        page.get_by_role("button", name="投票同意").click()
        assert "同意票已记录" in staff.message()
        staff.logout()

    # --- the customer manager sees the customer qualified.
    staff.login("bj_cm")
    staff.goto(detail)
    expect(page.locator("#customer-status")).to_have_text("合格")
    expect(
        page.locator(f"#application-{AdmissionApplication.objects.get(customer=customer).pk}")
    ).to_contain_text("客户管理委员会表决")
    staff.shot("detail")
    staff.goto("/customers/")
    expect(page.locator("table.customers")).to_contain_text(name)
    staff.shot("list")

    customer.refresh_from_db()
    assert customer.admission_status == "qualified"
    assert staff.foreign == [], "pages must load nothing from outside kehu"
    assert staff.errors == []
    staff.context.close()
