"""The whole admission review through the API, user by user, as the people involved would do it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kehu.core.models import AuditEvent
from kehu.customers.events import CustomerEvent
from kehu.customers.models import AdmissionStatusChange, Customer

DEPARTMENTS = ["enterprise_mgmt", "production", "finance", "audit", "safety_env"]


def _prepare(api, world):
    customer = world.enterprise()
    today = timezone.localdate()
    assert api.post("bj_cm", f"/customers/{customer.pk}/licences", {
        "kind": "business_licence", "number": customer.uscc, "valid_from": str(today - timedelta(days=100)),
        "valid_to": str(today + timedelta(days=900))}).status_code == 201
    return customer


def test_admission_through_the_api(api, world):
    customer = _prepare(api, world)
    created = api.post("bj_cm", f"/customers/{customer.pk}/admissions", {
        "questionnaire": {"main_products": "电解铜、锌锭", "payment_terms": "款到发货"},
        "expected_annual_volume_amount": "30000000.00", "scope_attested": True})
    assert created.status_code == 201, created.content
    app = created.json()
    assert app["status"] == "draft"
    assert any("contract" in p.lower() or "合同" in p for p in app["problems"])

    blocked = api.post("bj_cm", f"/admissions/{app['id']}/submit", {})
    assert blocked.status_code == 409 and blocked.json()["code"] == "admission_blocked"
    assert blocked.json()["problems"]

    assert api.post("bj_cm", f"/customers/{customer.pk}/contracts", {
        "number": "HT-2026-001", "signed_on": str(timezone.localdate()), "amount": "5000000.00"}).status_code == 201
    submitted = api.post("bj_cm", f"/admissions/{app['id']}/submit", {"note": "资料齐全"})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted" and submitted.json()["round"] == 1

    # Four-eyes: the submitter cannot do the sales check.
    own = api.post("bj_cm", f"/admissions/{app['id']}/sales-check", {"approve": True})
    assert own.status_code == 403 and own.json()["code"] == "self_approval"

    inbox = api.get("bj_sales", "/inbox").json()
    assert inbox["counts"]["sales_check"] == 1
    assert api.post("bj_sales", f"/admissions/{app['id']}/sales-check", {"approve": True}).json()["status"] \
        == "sales_checked"
    assert api.post("bj_office", f"/admissions/{app['id']}/office-review",
                    {"approve": True, "comment": "证照有效"}).json()["status"] == "office_reviewed"
    for dept in DEPARTMENTS:
        response = api.post("bj_dept", f"/admissions/{app['id']}/opinions",
                            {"department": dept, "opinion": "approve"})
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "opinions_complete"
    first = api.post("hq_committee1", f"/admissions/{app['id']}/votes", {"approve": True})
    assert first.json()["status"] == "opinions_complete"
    again = api.post("hq_committee1", f"/admissions/{app['id']}/votes", {"approve": True})
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    final = api.post("hq_committee2", f"/admissions/{app['id']}/votes", {"approve": True, "comment": "同意准入"})
    assert final.json()["status"] == "qualified"
    assert api.get("bj_cm", f"/customers/{customer.pk}").json()["admission_status"] == "qualified"

    history = [(h.from_status, h.to_status) for h in AdmissionStatusChange.objects.filter(application_id=app["id"])]
    assert history == [("draft", "submitted"), ("submitted", "sales_checked"), ("sales_checked", "office_reviewed"),
                       ("office_reviewed", "opinions_complete"), ("opinions_complete", "qualified")]
    assert AuditEvent.objects.filter(customer_id=customer.pk, event_code=2108).count() == 1

    # Activation needs the cooperation agreement.
    refused = api.post("bj_cm", f"/customers/{customer.pk}/activate")
    assert refused.status_code == 409
    assert api.post("bj_cm", f"/customers/{customer.pk}/agreements",
                    {"number": "XY-001", "signed_on": str(timezone.localdate())}).status_code == 201
    assert api.post("bj_cm", f"/customers/{customer.pk}/activate").json()["admission_status"] == "active"
    terminated = api.post("bj_office", f"/customers/{customer.pk}/terminate",
                          {"reason": "false_information", "note": "营业执照信息与工商登记不符"})
    assert terminated.json()["admission_status"] == "terminated"
    assert api.get("bj_cm", f"/customers/{customer.pk}/agreements").json()[0]["status"] == "terminated"


def test_return_for_correction_and_resubmit(api, world):
    customer = world.enterprise()
    world.papers(customer)
    application = world.submit(customer)
    returned = api.post("bj_office", f"/admissions/{application.pk}/return", {"comment": "请补充财务报表"})
    assert returned.status_code == 409  # not yet at the office: the sales check comes first
    returned = api.post("bj_sales", f"/admissions/{application.pk}/return", {"comment": "请补充财务报表"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert api.get("bj_cm", "/inbox").json()["counts"]["returned"] == 1
    edited = api.patch("bj_cm", f"/admissions/{application.pk}", {"volume_justification": "已补充"})
    assert edited.status_code == 200
    again = api.post("bj_cm", f"/admissions/{application.pk}/submit", {})
    assert again.json()["status"] == "submitted" and again.json()["round"] == 2


def test_committee_rejection(api, world):
    customer = world.enterprise()
    world.papers(customer)
    application = world.to_committee(customer)
    no_reason = api.post("hq_committee1", f"/admissions/{application.pk}/votes", {"approve": False})
    assert no_reason.status_code == 400
    api.post("hq_committee1", f"/admissions/{application.pk}/votes", {"approve": False, "comment": "涉诉较多"})
    final = api.post("hq_committee3", f"/admissions/{application.pk}/votes", {"approve": False, "comment": "同意否决"})
    assert final.json()["status"] == "rejected"
    assert api.get("bj_cm", f"/customers/{customer.pk}").json()["admission_status"] == "rejected"


def test_terminating_requires_a_reason_and_an_explanation(api, world):
    customer = world.admit(world.enterprise())
    for body in ({}, {"note": "虚假信息"}, {"reason": "other"}, {"reason": "", "note": "x"}, {"reason": "other", "note": ""}):
        r = api.post("bj_office", f"/customers/{customer.pk}/terminate", body)
        assert 400 <= r.status_code < 500 and r.json()["code"], body
    assert Customer.objects.get(pk=customer.pk).admission_status != "terminated"
    assert not AuditEvent.objects.filter(event_code=CustomerEvent.CUSTOMER_TERMINATED).exists()
