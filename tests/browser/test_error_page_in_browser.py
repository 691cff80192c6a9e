"""A 405 in a real Chromium: opening a POST-only address shows the Chinese error page with the site's look."""

from __future__ import annotations

import pytest
from tests.browser.support import login
from tests.conftest import build_world

pytestmark = pytest.mark.browser


def test_a_405_shows_the_error_page(transactional_db, live_server, browser):
    from playwright.sync_api import expect

    world = build_world()
    customer = world.enterprise()
    page, errors = login(browser, live_server.url, "bj_office")
    response = page.goto(f"{live_server.url}/customers/{customer.pk}/terminate/")
    assert response.status == 405
    expect(page.locator("h1")).to_have_text("405 · 不允许的请求方式")
    assert page.title() and "不允许的请求方式" in page.title()
    expect(page.locator(".topbar .user")).to_have_text("bj_office")  # the site's frame, not a blank page
    page.get_by_role("link", name="返回").first.click()
    assert page.url.rstrip("/") != f"{live_server.url}/customers/{customer.pk}/terminate"
    assert errors == []
