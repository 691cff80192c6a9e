"""Every row of the README's "What to try" tables, in Chromium, with the logins the README names: the demo
is loaded, each login signs in, every page the row names opens, and what the row says the login does is
within its permissions (drawing on a line, rating, approving, the large-credit table's submission and its
sign-off by a second officer). The tables are parsed from README.md, so the README cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings

from kehu.core.models import User
from kehu.core.selectors import access_for

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"
LOGIN = re.compile(r"`([a-z][a-z0-9_]*)`")
PATH = re.compile(r"`(/[a-z0-9/_.-]*)`")
# What a row says the login does, and the permission that needs (matched in the row's text, lower case).
CLAIMS = [
    (r"\bdraw", "credit.use"),
    (r"/credit/`: request", "credit.request"),
    (r"customer ratings", "credit.rate"),
    (r"approve lines", "credit.approve"),
    (r"large-credit (table|report).*(submit|draft)|(draft|submit).*large-credit", "exposure.run"),
    (r"sign[- ]off.*large-credit|large-credit.*sign[- ]off|sign off the large-credit", "exposure.signoff"),
    (r"capital bases", "exposure.capital"),
    (r"committee votes", "admission.committee"),
    (r"the audit log", "audit.view"),
    (r"office review", "admission.office_review"),
    (r"sales pre-check", "admission.sales_check"),
    (r"department opinions", "admission.opinion"),
    (r"reopen a closed month", "grading.run"),
    (r"limit increases", "trade.limit_approve"),
    (r"orders on credit hold", "trade.order_release"),
]


def readme_rows() -> list[tuple[list[str], str]]:
    """(logins, what to try) of every row of every table headed | Login | Role | What to try |."""
    rows, inside = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("| Login | Role | What to try |"):
            inside = True
            continue
        if inside and line.startswith("|---"):
            continue
        if inside and line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows.append((LOGIN.findall(cells[0]), cells[2]))
        else:
            inside = False
    return rows


def test_the_readme_tables_are_found():
    rows = readme_rows()
    assert len(rows) >= 10 and all(logins for logins, _ in rows)
    assert any(re.search(r"\bdraw", text) for _, text in rows)
    assert any(re.search(CLAIMS[5][0], text.lower()) for _, text in rows)


def _login(browser, base: str, username: str):
    from kehu.customers.demo import DEMO_PASSWORD

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code/"):
        # Auditors and administrators enrol a second factor at their first login (as the README says): the
        # test is the authenticator app, computing the code from the secret the page shows.
        import pyotp

        secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="确认").click()
        page.locator("#continue").click()
        page.wait_for_load_state()
    assert page.locator(".topbar .user").get_attribute("title") == username, f"{username} cannot log in"
    return page, errors


def test_every_readme_row_with_its_login(transactional_db, live_server, browser, tmp_path):
    from playwright.sync_api import expect

    from kehu.credit.models import CreditLine
    from kehu.customers.demo import load_demo
    from kehu.demo import load_module_demos
    from kehu.exposure.models import LargeCreditReport

    with override_settings(KEHU_FILES_DIR=tmp_path):
        load_demo()
        load_module_demos()
    report = LargeCreditReport.objects.get()
    assert report.status == "draft"
    for logins, text in readme_rows():
        claims = [perm for pattern, perm in CLAIMS if re.search(pattern, text.lower())]
        for username in logins:
            user = User.objects.get(username=username)
            for perm in claims:
                assert access_for(user).has(perm), f"README: {username} should {text!r}, lacks {perm}"
            page, errors = _login(browser, live_server.url, username)
            for path in PATH.findall(text):
                response = page.goto(live_server.url + path)
                assert response.status < 400, f"README: {username} at {path}: HTTP {response.status}"
                assert page.title().strip(" ·"), path
            if "credit.use" in claims:
                line = CreditLine.objects.filter(access_for(user).scope_q(
                    "credit.use", org_path_field="org_path"), status="active", customer__isnull=False).first()
                assert line is not None, f"README: {username} has no active line to draw on"
                page.goto(f"{live_server.url}/credit/{line.pk}/")
                expect(page.locator("#use-form")).to_be_visible()
            if "exposure.run" in claims and username == report.maker.username:
                page.goto(f"{live_server.url}/exposure/reports/{report.pk}/")
                page.get_by_role("button", name="提交复核").click()
                report.refresh_from_db()
                assert report.status == "submitted"
            if "exposure.signoff" in claims and "sign off" in text.lower():
                assert report.status == "submitted", "README: the table is to be submitted before its sign-off"
                page.goto(f"{live_server.url}/exposure/reports/{report.pk}/")
                page.get_by_role("button", name="复核签发").click()
                report.refresh_from_db()
                assert report.status == "signed" and report.checker.username == username
            assert errors == [], (username, errors)
            page.context.close()
