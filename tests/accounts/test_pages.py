"""The accounts pages in Chinese: an account with its limits used and alerts, the person's Class III total,
the remediation inbox and its form; masked ID numbers; scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from kehu.accounts.models import RemediationTask
from kehu.core.models import RuleParameter

from .conftest import at, open_account, post


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_account_page_shows_limits_balance_alerts_and_masked_id(world):
    person = world.individual()
    open_account(world, person, "III", "PG-III", identity="five_elements", channel="online")
    post(world, "PG-III", "p1", at(2024, 3, 1, 9), "bound_in", "2000.00")
    post(world, "PG-III", "p2", at(2024, 3, 1, 10), "inbound_nonbound", "5.00")
    html = client_for(world.bj_cm).get("/accounts/PG-III/").content.decode()
    number = person.id_number
    assert "Ⅲ类户" in html and "限额使用情况" in html and "Ⅲ类户余额" in html and "预警" in html
    assert "p2" in html and "2005.00" in html
    assert number not in html and number[:3] + "*" * 11 + number[-4:] in html
    assert person.name not in html
    assert "Ⅲ类户资金双边收付累计" in html and "2005.00" in html
    listing = client_for(world.bj_cm).get("/accounts/").content.decode()
    assert "PG-III" in listing and number not in listing
    assert client_for(world.sh_cm).get("/accounts/PG-III/").status_code == 404
    assert client_for(world.admin).get("/accounts/").status_code == 403


def test_remediation_inbox_report_and_form(world):
    person = world.individual()
    open_account(world, person, "III", "RT-III", identity="five_elements", channel="online")
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="100.00",
                                 effective_from=date(2020, 1, 1), status=RuleParameter.Status.APPROVED)
    post(world, "RT-III", "r1", at(2024, 3, 1, 9), "bound_in", "100.00")
    task = RemediationTask.objects.get()
    client = client_for(world.bj_cm)
    html = client.get("/accounts/tasks/?state=overdue").content.decode()
    assert "Ⅲ类户身份补正" in html and "逾期" in html and "r1" in html and "2024-03-08" in html
    assert person.id_number not in html
    bad = client.post(f"/accounts/tasks/{task.pk}/", {"occupation": "教师", "address": "x", "id_expires_on": "2000-01-01"})
    assert bad.status_code == 400
    from django.core.files.uploadedfile import SimpleUploadedFile

    expired = client.post(f"/accounts/tasks/{task.pk}/", {"id_file": SimpleUploadedFile("id.jpg", b"jpg"),
                                                          "occupation": "教师", "address": "北京市东城区1号",
                                                          "id_expires_on": "2000-01-01"})
    assert expired.status_code == 400 and "证件已过期" in expired.content.decode()
    done = client.post(f"/accounts/tasks/{task.pk}/", {"id_file": SimpleUploadedFile("id.jpg", b"jpg"),
                                                       "occupation": "教师", "address": "北京市东城区1号",
                                                       "id_expires_on": "2036-01-01"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assert client_for(world.sh_cm).get(f"/accounts/tasks/{task.pk}/").status_code == 404
    assert client_for(world.bj_auditor).post(f"/accounts/tasks/{task.pk}/", {}).status_code == 403


def test_account_import_creates_people_and_reports_bad_rows(world, tmp_path):
    import csv

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from kehu.accounts.models import PersonalAccount
    from kehu.customers.generators import make_resident_id

    a, b = make_resident_id(world.rng), make_resident_id(world.rng)
    rows = [["account_no", "id_number", "name", "tier", "opened_on", "channel", "bound_account_no", "bound_same_bank",
             "bound_kind"],
            ["I-1", a, "李雷", "I", "2021-01-01", "counter", "", "", ""],
            ["III-1", a, "李雷", "III", "2021-01-02", "online", "I-1", "true", "class1"],
            ["I-2", b, "韩梅梅", "I", "2021-01-03", "counter", "", "", ""],
            ["I-3", b, "韩梅梅", "I", "2021-01-04", "counter", "", "", ""],  # a second Class I
            ["II-9", "110101199001011234", "王五", "II", "2021-01-04", "online", "x", "true", "class1"]]
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(CommandError):
        call_command("accounts_import", str(path), "--org", "BJ")
    assert PersonalAccount.objects.count() == 3
    assert PersonalAccount.objects.get(account_no="III-1").customer.id_number == a
    from kehu.accounts.ingest import error_dir

    with (error_dir() / "accounts-import-accounts-errors.csv").open(encoding="utf-8-sig") as fh:
        bad = list(csv.reader(fh))
    assert [r[0] for r in bad[1:]] == ["I-3", "II-9"] and "account_limit_reached" in bad[1][-1]
    # a re-run changes nothing
    with pytest.raises(CommandError):
        call_command("accounts_import", str(path), "--org", "BJ")
    assert PersonalAccount.objects.count() == 3
