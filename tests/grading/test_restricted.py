"""PI-9: a customer restricted under a legal hold is absent from the grading summary (page, charts, XLSX,
PDF) and the API, as a user sees them."""

from __future__ import annotations

import io
from datetime import date

from django.test import Client
from openpyxl import load_workbook
from tests._fixtures.api import ApiClient

from kehu.customers.models import Customer
from kehu.grading.services.run import run_period


def test_restricted_customer_absent_from_grading_reports(gworld, policy):
    kept = gworld.admit(gworld.enterprise(name="北京可见机械有限公司"))
    held = gworld.admit(gworld.enterprise(name="北京受限机械有限公司"))
    run_period(actor=None, period="2026-10")
    Customer.objects.filter(pk=held.pk).update(pi_restricted=True)

    office = Client()
    office.force_login(gworld.hq_office)
    html = office.get("/grading/2026-10/").content.decode()
    assert kept.name in html and held.name not in html
    assert office.get(f"/grading/2026-10/{held.pk}/").status_code == 404
    sheet = load_workbook(io.BytesIO(office.get("/grading/2026-10/?format=xlsx").content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert kept.name in names and held.name not in names
    api = ApiClient(gworld)
    listed = [r["customer_id"] for r in api.get("hq_office", "/grading/results/2026-10").json()]
    assert kept.pk in listed and held.pk not in listed
    assert api.get("hq_office", f"/grading/results/2026-10/{held.pk}").status_code == 404


def test_a_run_does_not_score_a_restricted_customer(gworld, policy):
    """Restriction stops processing, not only display: the next run leaves the held customer out."""
    from kehu.grading.models import GradeResult

    kept = gworld.admit(gworld.enterprise(name="北京照常机械有限公司"))
    held = gworld.admit(gworld.enterprise(name="北京冻结机械有限公司"))
    Customer.objects.filter(pk=held.pk).update(pi_restricted=True)
    run_period(actor=None, period="2026-10")
    graded = set(GradeResult.objects.filter(period=date(2026, 10, 1)).values_list("customer_id", flat=True))
    assert kept.pk in graded and held.pk not in graded
    # Lifting the restriction puts the customer back into the next run.
    Customer.objects.filter(pk=held.pk).update(pi_restricted=False)
    run_period(actor=None, period="2026-11")
    assert GradeResult.objects.filter(period=date(2026, 11, 1), customer_id=held.pk).exists()
