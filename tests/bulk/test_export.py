"""Customer export: scope, masking without unmask permission, audit with filter and count; the template."""

from __future__ import annotations

import csv

import openpyxl
from django.core.management import call_command

from kehu.bulk.exports import TEMPLATE_HEADER, export_customers
from kehu.bulk.services import run_import
from kehu.core.audit import AuditEvent
from kehu.core.exports import is_watermark
from kehu.core.models import OrgUnit
from kehu.customers.models import Customer


def read(path):
    """The file's rows without the watermark row (``# 导出人 …``) every export ends with."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [row for row in csv.reader(fh) if not is_watermark(row)]


def test_export_is_scoped_and_unmasked_for_managers(world, tmp_path):
    person = world.individual(name="张三丰")
    world.enterprise(by=world.sh_cm, org="SH")
    out = tmp_path / "bj.csv"
    assert export_customers(actor=world.bj_cm, path=out, fmt="csv") == 1
    rows = read(out)
    assert rows[0][:len(TEMPLATE_HEADER)] == TEMPLATE_HEADER  # then the columns other modules add
    assert rows[1][1] == "张三丰" and rows[1][3] == person.id_number
    event = AuditEvent.objects.filter(event_code=7002).get()
    assert event.new_values["rows"] == 1 and event.new_values["masked"] is False


def test_export_is_masked_without_unmask_permission(world, tmp_path):
    person = world.individual(name="李小龙")
    out = tmp_path / "aud.csv"
    assert export_customers(actor=world.bj_auditor, path=out, fmt="csv", filters={"kind": "individual"}) == 1
    row = read(out)[1]
    assert row[1] != "李小龙" and row[3] != person.id_number and person.id_number[-4:] not in row[3][:-4]
    event = AuditEvent.objects.filter(event_code=7002).get()
    assert event.new_values == {"filters": {"kind": "individual"}, "format": "csv", "rows": 1, "masked": True}


def test_export_filters_and_xlsx_round_trip(world, tmp_path):
    world.enterprise(name="甲公司")
    world.individual()
    out = tmp_path / "e.xlsx"
    assert export_customers(actor=world.bj_cm, path=out, fmt="xlsx", filters={"kind": "enterprise"}) == 1
    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == "企业" and rows[1][1] == "甲公司" and is_watermark(rows[-1])
    # the exported file imports again unchanged
    job = run_import(actor=world.bj_cm, target="customers", path=out, org_code="BJ")
    assert (job.rows_unchanged, job.rows_created, job.rows_rejected) == (1, 0, 0)
    assert Customer.objects.count() == 2


def test_template_command_writes_header_that_imports(world, tmp_path):
    out = tmp_path / "t.csv"
    call_command("bulk_export_template", "-o", str(out))
    assert read(out) == [TEMPLATE_HEADER]
    out_x = tmp_path / "t.xlsx"
    call_command("bulk_export_template", "-o", str(out_x))
    assert [list(r) for r in openpyxl.load_workbook(out_x).active.iter_rows(values_only=True)] == [TEMPLATE_HEADER]
    with out.open("a", encoding="utf-8") as fh:
        fh.write("企业,乙公司,91110108MA01XXXX00,,,,,,,,,,\n")
    job = run_import(actor=world.bj_cm, target="customers", path=out, org_code="BJ")
    assert job.rows_rejected == 1  # the made-up credit code fails its check character
    assert OrgUnit.objects.filter(code="BJ").exists()


def test_export_command(world, tmp_path):
    world.enterprise()
    out = tmp_path / "c.csv"
    call_command("bulk_export_customers", "-o", str(out), "--as", "bj_cm", "--kind", "enterprise")
    assert len(read(out)) == 2


def test_a_web_export_of_personal_data_above_the_threshold_needs_the_second_factor(world):
    from datetime import date

    from django.test import Client

    from kehu.core.models import RuleParameter

    for _n in range(3):
        world.individual()
    RuleParameter.objects.create(code="sec.mfa_export_threshold", value=2, unit="rows", provenance="proposed",
                                 source_ref="test", effective_from=date(2020, 1, 1), status="approved")
    client = Client()
    client.force_login(world.bj_cm)  # a customer manager may unmask: the export holds personal data in clear
    refused = client.get("/customers/bulk/export/?format=csv")
    assert refused.status_code == 302 and not getattr(refused, "streaming", False)
    session = client.session
    session["kehu_2fa_at"] = "2026-12-06T10:00:00+08:00"
    session.save()
    allowed = client.get("/customers/bulk/export/?format=csv")
    assert allowed.status_code == 200
    body = b"".join(allowed.streaming_content).decode("utf-8-sig")
    assert len([line for line in body.splitlines() if line]) >= 4  # header, three people, watermark
