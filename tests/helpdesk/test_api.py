import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(hworld):
    from tests._fixtures.api import ApiClient

    return ApiClient(hworld)


def test_complaint_flow_over_the_api(api, hworld):
    cid = hworld.enterprise().pk
    r = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": cid, "kind": "complaint", "subject": "Damaged"})
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert r.json()["resolution_due"]
    r = api.post("bj_agent", f"/helpdesk/tickets/{tid}/transition", {"to": "investigating"})
    assert r.status_code == 409
    r = api.post("bj_agent", f"/helpdesk/tickets/{tid}/transition", {"to": "acknowledged"})
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = api.get("bj_agent", "/helpdesk/tickets?limit=1")
    assert [t["id"] for t in r.json()["items"]] == [tid]


@pytest.mark.parametrize("user, status", [
    ("bj_agent", 200), ("bj_super", 200), ("bj_auditor", 200), ("sh_agent", 404), ("admin", 404), (None, 401),
])
def test_permission_matrix_read(api, hworld, user, status):
    cid = hworld.enterprise().pk
    tid = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": cid, "kind": "enquiry", "subject": "?"}).json()["id"]
    assert api.get(user, f"/helpdesk/tickets/{tid}").status_code == status


@pytest.mark.parametrize("user, status", [("bj_agent", 201), ("bj_auditor", 403), ("sh_agent", 404), ("admin", 404)])
def test_permission_matrix_open(api, hworld, user, status):
    cid = hworld.enterprise().pk
    r = api.post(user, "/helpdesk/tickets", {"customer_id": cid, "kind": "enquiry", "subject": "?"})
    assert r.status_code == status


@pytest.mark.parametrize("body", [
    {"kind": "complaint", "subject": "x"},
    {"kind": "bogus", "subject": "x"},
    {"kind": "complaint", "subject": ""},
    {"kind": "complaint", "subject": "x", "extra": 1},
    {"kind": "return", "subject": "x"},
    {"kind": "return", "subject": "x", "amount": "1.234"},
    {"kind": "allowance", "subject": "x", "amount": "10.00", "invoice_amount": "100.00"},
])
def test_bad_input(api, hworld, body):
    cid = hworld.enterprise().pk
    body = {"customer_id": cid, **body} if "kind" in body and body != {"kind": "complaint", "subject": "x"} else body
    r = api.post("bj_agent", "/helpdesk/tickets", body)
    assert r.status_code in (400, 422), r.content


def test_receivable_reductions_endpoint(api, hworld):
    cid = hworld.enterprise().pk
    # an approved allowance reduces at once (a return only at its credit note: see test_returns.py)
    tid = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": cid, "kind": "allowance", "subject": "r",
                                                       "amount": "123.45", "invoice_amount": "100000.00",
                                                       "evidence_document": "销货折让证明单 2025-08"}).json()["id"]
    assert api.post("bj_sales_mgr", f"/helpdesk/tickets/{tid}/approve", {}).status_code == 200
    r = api.get("bj_auditor", f"/helpdesk/customers/{cid}/receivable-reductions?until=2099-01-01")
    assert r.status_code == 200 and r.json()["reduction_amount"] == "123.45"
