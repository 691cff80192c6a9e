"""The second factor in a real Chromium: a system administrator's first login shows the QR code (an SVG
drawn by kehu) and asks for a code, which the test computes from the secret with pyotp; the recovery codes
are shown once; the next login asks for a code again. Run with ``pytest -m browser``."""

from __future__ import annotations

import pyotp
import pytest
from tests.conftest import PASSWORD, build_world

from kehu.core.models import User

pytestmark = pytest.mark.browser


def test_sysadmin_enrols_at_first_login_and_then_logs_in_with_a_code(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    build_world()
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    def password_step():
        page.goto(live_server.url + "/login/")
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(live_server.url + "/login/code/")

    password_step()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    shown = page.locator("#totp-secret").inner_text()
    secret = User.objects.get(username="admin").totp_secret
    assert shown == secret
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="确认").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.locator("#continue").click()
    expect(page.locator(".topbar .user")).to_have_text("admin")

    page.locator("#logout").click()
    password_step()
    expect(page.locator("#totp-qr")).to_have_count(0)  # enrolled: only the code now
    page.get_by_label("验证码").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="确认").click()
    expect(page.locator("p.error")).to_be_visible()
    # The next code of the app (the one just used is good once only).
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).generate_otp(User.objects.get(username="admin").totp_last_step + 1))
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".topbar .user")).to_have_text("admin")
    assert errors == []
    assert all(url.startswith(live_server.url) for url in requests), "something was loaded from elsewhere"
    context.close()
