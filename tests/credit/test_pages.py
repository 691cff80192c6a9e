"""Credit pages: list, request with the proposal, approve, draw until refused with the reason shown,
double submit of one form has one effect, scope 404, forbidden 403."""

from __future__ import annotations

from django.test import Client
from django.utils import translation
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.credit.models import CreditLine, CreditUse, Product


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_request_approve_draw_refuse_pages(cworld):
    c = rated_customer(cworld)
    cm = client_for(cworld.bj_cm)
    assert cm.get("/credit/").status_code == 200
    assert cm.get("/credit/new/").status_code == 200
    r = cm.post("/credit/new/", {"customer_id": c.pk, "line_type": "comprehensive", "line_amount": "1000.00",
                                 "currency": "CNY", "sub_loan": "600.00", "equity": "100000.00"})
    assert r.status_code == 302, r.content.decode()[:2000]
    line = CreditLine.objects.get()
    assert line.proposal is not None
    page = cm.get(f"/credit/{line.pk}/").content.decode()
    assert "not a commitment" in page
    approver = client_for(cworld.bj_approver)
    assert line.pk in [x.pk for x in approver.get("/credit/").context["inbox"]]
    assert approver.post(f"/credit/{line.pk}/approve/", {"note": "同意"}).status_code == 302
    assert CreditLine.objects.get(pk=line.pk).status == "active"
    body = {"product": "loan", "amount": "400.00", "idempotency_key": "form-1"}
    assert cm.post(f"/credit/{line.pk}/uses/", body).status_code == 302
    assert cm.post(f"/credit/{line.pk}/uses/", body).status_code == 302  # double submit: same key
    assert CreditUse.objects.count() == 1
    r = cm.post(f"/credit/{line.pk}/uses/", {"product": "loan", "amount": "300.00", "idempotency_key": "form-2"})
    assert r.status_code == 409
    with translation.override("en"):
        assert "does not fit in the product sub-limit" in r.content.decode()
    history = cm.get(f"/credit/{line.pk}/").content.decode()
    assert "does not fit" in history  # why it was refused, in the history
    # products are shown by their label, never by the stored code
    assert f"<td>{Product.LOAN.label}</td>" in history and "<td>loan</td>" not in history
    use = CreditUse.objects.get()
    assert cm.post(f"/credit/uses/{use.pk}/post/", {"amount": ""}).status_code == 302
    assert cm.post(f"/credit/uses/{use.pk}/repay/", {"amount": "100.00"}).status_code == 302
    use.refresh_from_db()
    assert use.outstanding_amount == 300


def test_scope_and_forbidden(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    assert client_for(cworld.sh_cm).get(f"/credit/{line.pk}/").status_code == 404
    assert client_for(cworld.admin).get("/credit/").status_code == 403
    assert client_for(cworld.bj_auditor).get("/credit/new/").status_code == 403
    r = client_for(cworld.bj_auditor).post(f"/credit/{line.pk}/uses/", {"product": "loan", "amount": "1"})
    assert r.status_code == 403 and CreditUse.objects.count() == 0


def test_an_increase_is_requested_on_the_page_and_approved_by_a_second_approver(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    cm = client_for(cworld.bj_cm)
    r = cm.post(f"/credit/{line.pk}/adjust/", {"line_amount": "1500.00", "reason": "业务增长"}, follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert "waits for a second approver" in page and "Increase waiting for approval" in page
    assert CreditLine.objects.get(pk=line.pk).line_amount == 1000
    # the manager cannot approve; an approver sees it on the list and approves it from the line's page
    assert "Approve the increase" not in page
    approver = client_for(cworld.hq_approver)
    change = line.changes.get()
    assert [x.pk for x in approver.get("/credit/").context["changes"]] == [change.pk]
    assert "Approve the increase" in approver.get(f"/credit/{line.pk}/").content.decode()
    assert cm.post(f"/credit/changes/{change.pk}/approve/", {}).status_code == 302  # refused, with a message
    assert CreditLine.objects.get(pk=line.pk).line_amount == 1000
    r = approver.post(f"/credit/changes/{change.pk}/approve/", {"note": "同意"}, follow=True)
    assert "Increase approved." in r.content.decode()
    assert CreditLine.objects.get(pk=line.pk).line_amount == 1500
    assert approver.post("/credit/changes/999999/approve/", {}).status_code == 404
    assert client_for(cworld.sh_cm).post(f"/credit/changes/{change.pk}/reject/", {"note": "x"}).status_code == 404
