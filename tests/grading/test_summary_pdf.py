"""The grade summary PDF has its Chinese as text on a machine without any CJK font (the README's install is
all it needs), long names wrap inside their column, and individuals' names are masked unless the user may
unmask; the summary page and the XLSX mask them too. Checked by extracting the text with pypdf."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from kehu.grading import reports
from kehu.grading.models import GradeResult

PERIOD = date(2026, 11, 1)
LONG = "湖南省衡阳市珠晖区水口山有色金属集团有限公司第三冶炼厂铜铅锌综合回收利用分公司销售服务中心"


def _grade(customer, letter="B") -> GradeResult:
    zero = Decimal(0)
    return GradeResult.objects.create(
        period=PERIOD, customer_id=customer.pk, org_path=customer.org_path, policy_version=1, raw_volume=zero,
        raw_overdue_days=0, raw_licence_ok=True, raw_sued=False, raw_archive_complete=True, raw_disqualified=False,
        weight_volume=30, weight_fulfilment=25, weight_payment=30, weight_operating=15, score_volume=Decimal("20"),
        score_fulfilment=Decimal("25"), score_payment=Decimal("30"), score_operating=Decimal("10"),
        total_score=Decimal("85"), computed_grade=letter, grade=letter)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return "".join(text.split())


def test_pdf_has_chinese_text_wrapped_and_masked(gworld):
    company = gworld.enterprise(name=LONG)
    person = gworld.individual(name="王小明")
    _grade(company)
    _grade(person, "C")
    results = GradeResult.objects.filter(period=PERIOD).select_related("customer").order_by("customer_id")

    pdf = reports.summary_pdf(PERIOD, results)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert "/STSong-Light" in fonts
    text = _text(pdf)
    flat = _flat(text)
    assert "客户等级管理汇总表" in flat or "Customergradesummary" in flat
    assert LONG in flat  # all of it, on more than one line of its cell
    assert LONG not in text.replace(" ", "")
    assert "王*" in flat and "王小明" not in flat
    assert "王小明" in _flat(_text(reports.summary_pdf(PERIOD, results, unmask=True)))


def test_summary_page_and_exports_mask_names(gworld):
    person = gworld.individual(name="王小明")
    _grade(person, "C")
    risk, office = Client(), Client()
    risk.force_login(gworld.hq_risk)  # a risk officer may not unmask
    office.force_login(gworld.hq_office)  # the customer office may
    summary = risk.get("/grading/2026-11/").content.decode()
    assert '<th class="num">变动</th>' in summary  # the change of grade, not 修改 (edit)
    for client in (risk, office):  # pages mask for everyone, as the archive does
        assert "王小明" not in client.get("/grading/2026-11/").content.decode()
        assert "王小明" not in client.get(f"/grading/2026-11/{person.pk}/").content.decode()
    sheet = load_workbook(io.BytesIO(risk.get("/grading/2026-11/?format=xlsx").content)).active
    assert list(sheet.iter_rows(values_only=True))[2][0] == "王**"
    pdf = risk.get("/grading/2026-11/?format=pdf").content
    assert "王*" in _flat(_text(pdf)) and "王小明" not in _flat(_text(pdf))
    sheet = load_workbook(io.BytesIO(office.get("/grading/2026-11/?format=xlsx").content)).active
    assert list(sheet.iter_rows(values_only=True))[2][0] == "王小明"
