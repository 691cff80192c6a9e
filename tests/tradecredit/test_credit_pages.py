"""Trade-credit pages through the client: the customer's credit page and its link, the order form (double
submit places one order), the holds filter, the release offered only to the right authority, the limit
increases page, scope 404 and forbidden 403."""

from __future__ import annotations

from django.test import Client
from tests.tradecredit.credit_world import give_sales, grade, set_limit

from kehu.trade.models import SalesOrder
from kehu.tradecredit import services
from kehu.tradecredit.models import CreditAccount, LimitChange


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_credit_page_shows_limit_basis_exposure_and_is_linked(cw):
    firm = cw.admit(cw.enterprise())
    give_sales(firm, [10000] * 12)
    grade(firm, "C")
    set_limit(firm, "50000.00", 30)
    services.credit_limits_recalculate(actor=None, period="2026-10")  # a decrease to 6,000
    services.order_place(actor=cw.bj_cm, customer_id=firm.pk, number="P-1", amount="2000.00")
    cm = client_for(cw.bj_cm)
    page = cm.get(f"/trade/customer/{firm.pk}/credit/").content.decode()
    assert 'id="limit-amount">6,000.00<' in page and 'id="exp-orders">2,000.00<' in page
    assert 'id="exp-available">4,000.00<' in page
    assert "Average monthly sales 10,000.00 over 12 months with sales" in page
    assert "Monthly recalculation (decrease)" in page and "P-1" in page
    assert 'id="set-limit"' not in page  # a customer manager does not set limits
    assert 'id="trade-credit-link"' in cm.get(f"/customers/{firm.pk}/").content.decode()
    assert client_for(cw.sh_cm).get(f"/trade/customer/{firm.pk}/credit/").status_code == 404
    assert client_for(cw.admin).get(f"/trade/customer/{firm.pk}/credit/").status_code == 403
    fm = client_for(cw.bj_fm)
    assert 'id="set-limit"' in fm.get(f"/trade/customer/{firm.pk}/credit/").content.decode()
    r = fm.post(f"/trade/customer/{firm.pk}/credit/limit/", {"amount": "5000.00", "term_days": "30",
                                                              "reason": "回款慢"})
    assert r.status_code == 302 and CreditAccount.objects.get(customer=firm).limit_amount == 5000
    r = fm.post(f"/trade/customer/{firm.pk}/credit/limit/", {"amount": "x", "term_days": "30", "reason": "r"})
    assert r.status_code == 400


def test_order_form_hold_release_by_the_right_authority(cw):
    firm = cw.admit(cw.enterprise())
    set_limit(firm, "100000.00", 30)
    cm = client_for(cw.bj_cm)
    form = cm.get(f"/trade/orders/new/?customer={firm.pk}").content.decode()
    assert 'name="idempotency_key"' in form
    body = {"customer_id": firm.pk, "number": "W-1", "amount": "120000.00", "idempotency_key": "form-1"}
    r = cm.post("/trade/orders/new/", body)
    assert r.status_code == 302
    again = cm.post("/trade/orders/new/", body)  # the same form submitted twice
    assert again.status_code == 302 and again["Location"] == r["Location"]
    order = SalesOrder.objects.get()
    assert order.status == "credit_hold" and order.release_authority == "finance_manager"
    holds = cm.get("/trade/orders/?status=credit_hold").content.decode()
    assert "W-1" in holds and "Finance manager" in holds
    assert "W-1" not in cm.get("/trade/orders/?status=accepted").content.decode()
    sm_page = client_for(cw.bj_sm).get(f"/trade/orders/{order.pk}/").content.decode()
    assert 'id="no-authority"' in sm_page and 'id="release-form"' not in sm_page
    assert "Over the credit limit" in sm_page
    r = client_for(cw.bj_sm).post(f"/trade/orders/{order.pk}/release/", {"note": "老客户"})
    assert r.status_code == 302 and SalesOrder.objects.get().status == "credit_hold"
    fm = client_for(cw.bj_fm)
    assert 'id="release-form"' in fm.get(f"/trade/orders/{order.pk}/").content.decode()
    r = fm.post(f"/trade/orders/{order.pk}/release/", {"note": "财务同意放行"})
    assert r.status_code == 302 and SalesOrder.objects.get().status == "accepted"
    assert client_for(cw.sh_sm).get(f"/trade/orders/{order.pk}/").status_code == 404
    r = cm.post(f"/trade/orders/{order.pk}/ship/")
    assert SalesOrder.objects.get().status == "shipped"
    r = client_for(cw.bj_fo).post(f"/trade/orders/{order.pk}/invoice/", {"reference": "FP-9"})
    assert SalesOrder.objects.get().status == "invoiced"
    assert cm.post(f"/trade/orders/{order.pk}/fly/").status_code == 404


def test_order_form_errors_and_permissions(cw):
    firm = cw.admit(cw.enterprise())
    cm = client_for(cw.bj_cm)
    r = cm.post("/trade/orders/new/", {"customer_id": firm.pk, "number": "", "amount": "1"})
    assert r.status_code == 400
    r = cm.post("/trade/orders/new/", {"customer_id": 999999, "number": "E-1", "amount": "1"})
    assert r.status_code == 404
    assert client_for(cw.bj_auditor).get("/trade/orders/new/").status_code == 403
    assert client_for(cw.bj_auditor).get("/trade/orders/").status_code == 200


def test_limit_increases_page_approve_by_a_second_person(cw):
    firm = cw.admit(cw.enterprise())
    give_sales(firm, [100000] * 12)
    grade(firm, "A")
    services.credit_limits_recalculate(actor=cw.hq_fm, period="2026-10")
    change = LimitChange.objects.get()
    own = client_for(cw.hq_fm).get("/trade/limit-changes/").content.decode()
    assert "300,000.00" in own and f"/trade/limit-changes/{change.pk}/approve/" not in own  # the requester
    fm = client_for(cw.bj_fm)
    page = fm.get("/trade/limit-changes/").content.decode()
    assert f"/trade/limit-changes/{change.pk}/approve/" in page
    r = fm.post(f"/trade/limit-changes/{change.pk}/approve/", {"note": ""})
    assert r.status_code == 302 and CreditAccount.objects.get(customer=firm).limit_amount == 300000
    assert "300,000.00" not in client_for(cw.sh_sm).get("/trade/limit-changes/?status=approved").content.decode()
