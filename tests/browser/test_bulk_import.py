"""Import in a real Chromium: from the customer list to the upload page, a CSV with one bad row, the job page
follows the background import through bulk/import.js to the end and offers the rejected rows; then the list's
CSV export downloads the customers. Run with ``pytest -m browser``; Chromium from the system."""

from __future__ import annotations

import csv
import io

import pytest
from tests.bulk.test_import import HEADER, good_rows
from tests.conftest import PASSWORD, build_world

from kehu.bulk.models import ImportJob
from kehu.customers.models import Customer

pytestmark = pytest.mark.browser




def test_upload_then_follow_the_job_then_export(transactional_db, live_server, browser, tmp_path):
    from playwright.sync_api import expect

    build_world()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(good_rows(40, seed=31))
    writer.writerow(["企业", "坏代码有限公司", "91110000000000000X", "", "", ""])
    upload = tmp_path / "客户.csv"
    upload.write_bytes(buf.getvalue().encode("utf-8-sig"))

    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("bj_cm")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".topbar .user")).to_have_text("bj_cm")

    page.goto(live_server.url + "/customers/")
    page.locator("#import-customers").click()
    page.locator("input[type=file]").set_input_files(str(upload))
    page.locator("#start-import").click()
    job = ImportJob.objects.get()
    assert page.url == f"{live_server.url}/customers/bulk/import/{job.pk}/"
    # the page polls the job's status until the background import is done
    expect(page.locator("#job-status")).to_have_text("已完成")
    expect(page.locator("#job-created")).to_have_text("40")
    expect(page.locator("#job-rejected")).to_have_text("1")
    expect(page.locator("#job-errors")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#job-errors-link").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows[1][1] == "坏代码有限公司" and rows[0][-2:] == ["错误原因", "error_reason"]
    assert Customer.objects.count() == 40

    page.goto(live_server.url + "/customers/?q=北京测试")
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    exported = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(exported) == 41 + 1 and exported[-1][0].startswith("# 导出人 bj_cm")  # rows, then the watermark
    assert errors == []
