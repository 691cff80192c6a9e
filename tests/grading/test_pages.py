"""The grading pages as a browser would get them: runs, the summary with charts, XLSX and PDF, explanation."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.grading.models import GradingRun
from kehu.grading.services.run import run_period


@pytest.fixture
def graded(gworld, policy):
    customer = gworld.admit(gworld.enterprise())
    run_period(actor=None, period="2026-10")
    run_period(actor=None, period="2026-11")
    return customer


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_runs_and_summary_pages(gworld, graded):
    office = client_for(gworld.hq_office)
    page = office.get("/grading/")
    assert page.status_code == 200 and "2026-11" in page.content.decode()
    page = office.get("/grading/2026-11/")
    html = page.content.decode()
    assert page.status_code == 200 and graded.name in html and html.count("<svg") == 3
    detail = office.get(f"/grading/2026-11/{graded.pk}/")
    assert detail.status_code == 200 and "70.00" in detail.content.decode()
    assert client_for(gworld.sh_cm).get(f"/grading/2026-11/{graded.pk}/").status_code == 404
    assert graded.name not in client_for(gworld.sh_cm).get("/grading/2026-11/").content.decode()


def test_summary_exports(gworld, graded):
    office = client_for(gworld.hq_office)
    xlsx = office.get("/grading/2026-11/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == graded.name and rows[2][6] == "C" and rows[2][8] == "C"
    pdf = office.get("/grading/2026-11/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_start_run_from_the_page(gworld, policy):
    gworld.admit(gworld.enterprise())
    assert client_for(gworld.bj_cm).post("/grading/run/", {"period": "2026-10"}).status_code == 403
    response = client_for(gworld.hq_office).post("/grading/run/", {"period": "2026-10"})
    assert response.status_code == 302
    assert GradingRun.objects.get().state == "closed"
    from kehu.core.models import Job  # the page starts the run as a background job (inline in tests)

    job = Job.objects.get(kind="grading.run")
    assert (job.params, job.status, job.created_by_id) == ({"period": "2026-10"}, "done", gworld.hq_office.pk)


def test_override_request_and_approval_pages(gworld, graded):
    manager = client_for(gworld.bj_cm)
    response = manager.post(f"/grading/2026-11/{graded.pk}/override/", {"to_grade": "B", "reason": "战略客户"})
    assert response.status_code == 302
    assert client_for(gworld.sh_cm).post(f"/grading/2026-11/{graded.pk}/override/",
                                         {"to_grade": "B", "reason": "战略客户"}).status_code == 404
    from kehu.grading.models import GradeOverride, GradeResult

    pending = GradeOverride.objects.get()
    committee = client_for(gworld.hq_committee1)
    assert graded.name in committee.get("/grading/").content.decode()
    assert manager.post(f"/grading/overrides/{pending.pk}/", {"decision": "approve"}).status_code == 403
    assert committee.post(f"/grading/overrides/{pending.pk}/", {"decision": "approve"}).status_code == 302
    assert GradeResult.objects.get(customer=graded, period="2026-11-01").grade == "B"
