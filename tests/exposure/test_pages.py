"""Statistics pages: freeze, draft, sign-off by a second officer, exports, 403 for other roles."""

from __future__ import annotations

from django.test import Client
from tests._fixtures.credit_world import active_line, rated_customer
from tests.exposure.test_services import HEADER, _period

from kehu.exposure.models import LargeCreditReport, StatFreeze
from kehu.exposure.templatetags.exposure_tags import BASIS_LABELS


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_month_walk_pages(cworld):
    c = rated_customer(cworld)
    active_line(cworld, c, "100000000.00")
    risk, risk2 = client_for(cworld.hq_risk), client_for(cworld.hq_risk2)
    period = _period(0)
    assert risk.get("/exposure/").status_code == 200
    assert risk.post("/exposure/freeze/", {"period": period}).status_code == 302
    assert StatFreeze.objects.filter(period=period).exists()
    assert risk.post("/exposure/reports/", {"period": period, **HEADER}).status_code == 302
    report = LargeCreditReport.objects.get()
    page = risk.get(f"/exposure/reports/{report.pk}/")
    assert page.status_code == 200 and c.uscc in page.content.decode()
    # the basis is shown by its meaning (R-1: the maximum comprehensive line), not as the code "mcl"
    assert str(BASIS_LABELS["mcl"]) in page.content.decode() and ">mcl<" not in page.content.decode()
    risk.post(f"/exposure/reports/{report.pk}/submit/")
    risk.post(f"/exposure/reports/{report.pk}/sign/")  # the maker cannot sign
    report.refresh_from_db()
    assert report.status == "submitted"
    risk2.post(f"/exposure/reports/{report.pk}/sign/")
    report.refresh_from_db()
    assert report.status == "signed"
    x = risk2.get(f"/exposure/reports/{report.pk}/export.xml")
    assert x.status_code == 200 and b"<gather" in x.content
    assert risk2.get(f"/exposure/reports/{report.pk}/export.xlsx").content[:2] == b"PK"


def test_forbidden(cworld):
    assert client_for(cworld.bj_cm).get("/exposure/").status_code == 403
    assert client_for(cworld.admin).post("/exposure/freeze/", {"period": _period(0)}).status_code == 403
    assert client_for(cworld.bj_auditor).post("/exposure/freeze/", {"period": _period(0)}).status_code == 403
    assert not StatFreeze.objects.exists()
