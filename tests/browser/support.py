"""Helpers of the browser tests."""

from __future__ import annotations

from tests.conftest import PASSWORD


def login(browser, base: str, username: str, *, timeout: int = 15000, **context_options):
    """A new Chinese-locale tab logged in as ``username``; returns the page and the list that collects its
    JavaScript errors (a test asserts it stays empty)."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    page.set_default_timeout(timeout)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".topbar .user")).to_have_text(username)
    return page, errors
