"""The trade-credit API as a client calls it: the walk (limit, order held, release), approvals, the permission
matrix and scope, bad input."""

from __future__ import annotations

import pytest
from tests._fixtures.api import ApiClient
from tests.tradecredit.credit_world import give_sales, grade, set_limit

from kehu.trade.models import SalesOrder
from kehu.tradecredit.models import LimitChange


@pytest.fixture
def api(cw):
    return ApiClient(cw)


@pytest.fixture
def firm(cw):
    firm = cw.admit(cw.enterprise())
    set_limit(firm, "100000.00", 30)
    return firm


def test_walk_place_hold_release_ship_invoice(cw, api, firm):
    r = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "SO-1", "amount": "60000.00"},
                 HTTP_IDEMPOTENCY_KEY="key-1")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "accepted" and r.json()["history"][0]["to_status"] == "accepted"
    again = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "SO-1", "amount": "60000.00"},
                     HTTP_IDEMPOTENCY_KEY="key-1")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    clash = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "SO-9", "amount": "1.00"},
                     HTTP_IDEMPOTENCY_KEY="key-1")
    assert clash.status_code == 409 and clash.json()["code"] == "idempotency_key_reused"
    r = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "SO-2", "amount": "60000.00"})
    held = r.json()
    assert r.status_code == 201 and held["status"] == "credit_hold" and held["hold_reasons"] == ["over_limit"]
    assert held["release_authority"] == "finance_manager"  # 120k against 100k: 20 per cent over
    assert held["check_figures"]["exposure_after"] == "120000.00"
    detail = api.get("bj_sm", f"/trade/orders/{held['id']}").json()
    assert detail["hold_now"]["your_authority"] == "sales_manager" and not detail["hold_now"]["you_may_release"]
    r = api.post("bj_sm", f"/trade/orders/{held['id']}/release", {"note": "老客户"})
    assert r.status_code == 403 and r.json()["code"] == "no_release_authority"
    r = api.post("bj_fm", f"/trade/orders/{held['id']}/release", {"note": "财务同意"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    holds = api.get("bj_cm", "/trade/orders?status=credit_hold").json()
    assert holds["items"] == []
    r = api.post("bj_cm", f"/trade/orders/{held['id']}/ship", {})
    assert r.status_code == 200 and r.json()["status"] == "shipped"
    r = api.post("bj_fo", f"/trade/orders/{held['id']}/invoice", {"reference": "FP-1"})
    assert r.status_code == 200 and r.json()["status"] == "invoiced"
    credit = api.get("bj_cm", f"/trade/customers/{firm.pk}/credit").json()
    assert credit["exposure"]["open_receivables"] == "60000.00" and credit["exposure"]["open_orders"] == "60000.00"
    assert credit["exposure"]["total"] == "120000.00" and credit["exposure"]["available"] == "0.00"
    assert credit["limit_amount"] == "100000.00" and len(credit["history"]) == 1


def test_limit_change_walk(cw, api, firm):
    give_sales(firm, [100000] * 12)
    grade(firm, "A")
    r = api.post("hq_office", "/trade/credit/recalculate", {"period": "2026-10"})
    assert r.status_code == 200 and r.json()["requested"] == 1, r.content
    changes = api.get("bj_fm", "/trade/limit-changes").json()
    assert [c["proposed_amount"] for c in changes] == ["300000.00"]
    assert api.get("sh_sm", "/trade/limit-changes").json() == []
    cid = changes[0]["id"]
    assert api.post("bj_sm", f"/trade/limit-changes/{cid}/approve", {}).status_code == 403
    r = api.post("bj_fm", f"/trade/limit-changes/{cid}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    credit = api.get("bj_cm", f"/trade/customers/{firm.pk}/credit").json()
    assert credit["limit_amount"] == "300000.00" and credit["current"]["basis"]["grade"] == "A"
    r = api.post("bj_fm", f"/trade/customers/{firm.pk}/credit/limit",
                 {"amount": "400000.00", "term_days": 60, "reason": "旺季"})
    assert r.status_code == 200 and r.json()["applied"] is None
    pending = r.json()["pending_change"]["id"]
    assert api.post("bj_fm", f"/trade/limit-changes/{pending}/approve", {}).json()["code"] == "self_approval"
    r = api.post("hq_gm", f"/trade/limit-changes/{pending}/reject", {"note": "不同意"})
    assert r.status_code == 200 and LimitChange.objects.get(pk=pending).status == "rejected"


@pytest.mark.parametrize("user,method,path,expected", [
    (None, "GET", "/trade/orders", 401),
    ("bj_auditor", "GET", "/trade/orders", 200),
    ("bj_auditor", "POST", "/trade/orders", 403),
    ("sh_cm", "POST", "/trade/orders", 404),  # the Beijing customer does not exist for Shanghai
    ("sh_cm", "GET", "/trade/customers/{c}/credit", 404),
    ("bj_fo", "POST", "/trade/orders", 403),
    ("bj_cm", "POST", "/trade/credit/recalculate", 403),
    ("bj_fm", "POST", "/trade/credit/recalculate", 403),  # branch level: not company-wide
    ("bj_cm", "POST", "/trade/customers/{c}/credit/limit", 403),
    ("bj_sm", "POST", "/trade/customers/{c}/credit/limit", 403),
    ("admin", "GET", "/trade/customers/{c}/credit", 404),  # the administrator sees no customer data
])
def test_permission_matrix(cw, api, firm, user, method, path, expected):
    bodies = {"/trade/orders": {"customer_id": firm.pk, "number": "PM-1", "amount": "1.00"},
              "/trade/credit/recalculate": {"period": "2026-10"},
              "/trade/customers/{c}/credit/limit": {"amount": "1.00", "term_days": 1, "reason": "测试"}}
    body = bodies.get(path) if method == "POST" else None
    r = api.call(user, method, path.format(c=firm.pk), body)
    assert r.status_code == expected, r.content
    if expected >= 400:
        assert set(r.json()) >= {"code", "message"}


def test_order_scope_and_missing_objects(cw, api, firm):
    order = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "S-1", "amount": "1.00"}).json()
    assert api.get("sh_cm", f"/trade/orders/{order['id']}").status_code == 404
    assert api.post("sh_sm", f"/trade/orders/{order['id']}/cancel", {"note": "取消"}).status_code == 404
    assert api.get("sh_cm", "/trade/orders").json()["items"] == []
    assert api.get("bj_cm", "/trade/orders/999999").status_code == 404
    assert api.post("bj_fm", "/trade/limit-changes/999999/approve", {}).status_code == 404
    r = api.post("bj_cm", f"/trade/orders/{order['id']}/invoice", {"reference": "X"})
    assert r.status_code == 403
    r = api.post("bj_fo", f"/trade/orders/{order['id']}/invoice", {"reference": "X"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"


@pytest.mark.parametrize("body", [
    {"number": "B-1", "amount": "1.00"},
    {"customer_id": "x", "number": "B-1", "amount": "1.00"},
    {"customer_id": 1, "number": "", "amount": "1.00"},
    {"customer_id": 1, "number": "B-1", "amount": "-1"},
    {"customer_id": 1, "number": "B-1", "amount": "1.001"},
    {"customer_id": 1, "number": "B-1", "amount": "1e30"},
    {"customer_id": 1, "number": "B-1", "amount": "1.00", "extra": True},
    {"customer_id": 1, "number": "B" * 65, "amount": "1.00"},
    {"customer_id": 1, "number": "B-1", "amount": "1.00", "ordered_on": "2026-13-01"},
])
def test_bad_order_input_is_a_4xx_with_a_code(cw, api, firm, body):
    if body.get("customer_id") == 1:
        body = {**body, "customer_id": firm.pk}
    r = api.post("bj_cm", "/trade/orders", body)
    assert 400 <= r.status_code < 500 and r.json()["code"], r.content
    assert SalesOrder.objects.count() == 0


def test_zero_amount_and_bad_notes_are_refused(cw, api, firm):
    r = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "Z-1", "amount": "0"})
    assert r.status_code == 400 and r.json()["field"] == "amount"
    held = api.post("bj_cm", "/trade/orders", {"customer_id": firm.pk, "number": "Z-2", "amount": "999999.00"})
    r = api.post("hq_gm", f"/trade/orders/{held.json()['id']}/release", {"note": ""})
    assert r.status_code == 400
    r = api.post("bj_fm", f"/trade/customers/{firm.pk}/credit/limit", {"amount": "1", "term_days": 400,
                                                                       "reason": "x"})
    assert r.status_code == 422
    r = api.post("hq_office", "/trade/credit/recalculate", {"period": "2026-13"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
