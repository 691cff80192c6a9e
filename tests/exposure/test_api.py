"""The statistics API: the month walk (freeze → draft → submit → sign-off → export), permissions, bad input."""

from __future__ import annotations

import pytest
from django.db import transaction
from tests._fixtures.api import ApiClient
from tests._fixtures.credit_world import active_line, rated_customer
from tests.exposure.test_services import HEADER, _period

from kehu.exposure.models import LargeCreditReport, StatFreeze


@pytest.fixture
def api(cworld):
    return ApiClient(cworld)


def test_month_walk(cworld, api):
    c = rated_customer(cworld)
    active_line(cworld, c, "120000000.00")
    period = _period(0)
    r = api.post("hq_risk", "/exposure/freezes", {"period": period})
    assert r.status_code == 201 and r.json()["customers"] == 1
    r = api.post("hq_risk", "/exposure/reports", {"period": period, **HEADER})
    assert r.status_code == 201 and r.json()["problems"] == []
    report = r.json()
    assert [row["line_amount"] for row in report["rows"]] == ["120000000.00"]
    assert api.get("sh_approver", f"/exposure/reports/{report['id']}").json()["rows"] == []  # out of scope rows
    assert api.post("hq_risk", f"/exposure/reports/{report['id']}/submit").status_code == 200
    assert api.post("hq_risk", f"/exposure/reports/{report['id']}/signoff", {"approve": True}).status_code == 403
    r = api.post("hq_risk2", f"/exposure/reports/{report['id']}/signoff", {"approve": True})
    assert r.json()["status"] == "signed"
    x = api.get("hq_auditor", f"/exposure/reports/{report['id']}/export?format=xml")
    assert x.status_code == 200 and x["Content-Type"] == "application/xml" and b"<gather" in x.content
    x = api.get("hq_risk", f"/exposure/reports/{report['id']}/export?format=xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert api.get("hq_risk", f"/exposure/reports/{report['id']}/export?format=pdf").status_code == 422
    r = api.post("hq_finance", "/exposure/capital-bases", {"as_of": f"{period}-01", "capital_amount": "1000000000.00",
                                                            "net_capital_amount": "900000000.00",
                                                            "tier1_net_amount": "800000000.00"})
    assert r.status_code == 201
    r = api.post("hq_risk", "/exposure/concentration", {"period": period})
    assert r.status_code == 201
    codes = {a["limit_code"] for a in r.json()}
    assert codes == set()  # no outstanding → no alert
    assert api.get("hq_auditor", f"/exposure/alerts?period={period}").status_code == 200


ROLES = ["bj_cm", "bj_office", "bj_auditor", "admin", "hq_approver", "hq_risk", "hq_finance", "hq_committee1"]


def test_permission_matrix(cworld, api):
    period = _period(0)
    view = {"bj_auditor", "hq_approver", "hq_risk", "hq_finance"}
    ops = [("GET", "/exposure/freezes", None, view), ("GET", "/exposure/reports", None, view),
           ("POST", "/exposure/freezes", {"period": period}, {"hq_risk"}),
           ("POST", "/exposure/capital-bases", {"as_of": "2026-01-01", "capital_amount": "1", "net_capital_amount": "1",
                                                "tier1_net_amount": "1"}, {"hq_finance"}),
           ("GET", f"/exposure/alerts?period={period}", None, view)]
    for username in ROLES:
        api.token(username)
    for method, path, body, allowed in ops:
        for username in ROLES:
            with transaction.atomic():
                sid = transaction.savepoint()
                r = api.call(username, method, path, body)
                transaction.savepoint_rollback(sid)
            expected = (200, 201) if username in allowed else (403,)
            assert r.status_code in expected, (username, method, path, r.status_code, r.content)


@pytest.mark.parametrize("body", [{"period": "2026-13"}, {"period": "26-01"}, {}, {"period": "2026-01", "x": 1}])
def test_bad_input_writes_nothing(cworld, api, body):
    r = api.post("hq_risk", "/exposure/freezes", body)
    assert r.status_code in (400, 422), r.content
    r = api.post("hq_risk", "/exposure/reports", body)
    assert r.status_code in (400, 409, 422), r.content
    assert not StatFreeze.objects.exists() and not LargeCreditReport.objects.exists()
