"""The privacy REST API as a client calls it: consents, notices and the purpose register, and a data-subject
access request from receipt to the export; scope (another branch: 404) and roles (not a privacy officer: 403)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone
from tests._fixtures.api import ApiClient
from tests.conftest import PASSWORD

from kehu.core import services as core_services
from kehu.core.audit import verify_chain
from kehu.core.models import AuditEvent
from kehu.customers import services as customer_services
from kehu.privacy import services as privacy
from kehu.privacy.events import PrivacyEvent
from kehu.privacy.models import DataSubjectRequest, RequestState


@pytest.fixture(autouse=True)
def own_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_ERASURE_LEDGER", str(tmp_path / "erasures.jsonl"))


@pytest.fixture
def api(world):
    for username, org in (("po", "HQ"), ("sh_po", "SH")):
        world.users[username] = core_services.user_create(username=username, org_code=org, roles=["privacy_officer"],
                                                          password=PASSWORD, actor=None)
    return ApiClient(world)


def _person(world):
    customer = world.individual(name="张三丰")
    customer_services.contact_add(actor=world.bj_cm, customer_id=customer.pk, name="李四", phone="13900139000")
    return customer


def test_access_request_received_verified_exported_and_completed(world, api):
    customer = _person(world)
    received = api.post("bj_cm", "/privacy/requests", {"customer_id": customer.pk, "kind": "access",
                                                        "channel": "counter", "detail": "要求查阅并复制本人信息"})
    assert received.status_code == 201, received.content
    body = received.json()
    assert body["state"] == "received" and body["kind_label"] == "查阅、复制"
    assert body["customer_name"] == "张**"  # masked
    assert body["due_at"] <= body["cap_at"] and not body["exportable"]
    request_id = body["id"]

    inbox = api.get("po", "/privacy/requests")
    assert inbox.status_code == 200
    assert [r["id"] for r in inbox.json()] == [request_id]

    early = api.get("po", f"/privacy/requests/{request_id}/export")
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    assert api.post("po", f"/privacy/requests/{request_id}/complete", {"outcome": "已提供"}).status_code == 409

    verified = api.post("po", f"/privacy/requests/{request_id}/verify", {"verification": "身份证原件核验"})
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    assert verified.json()["exportable"]

    export = api.get("po", f"/privacy/requests/{request_id}/export")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/json")
    assert f"personal-data-{request_id}.json" in export["Content-Disposition"]
    data = json.loads(export.content)
    assert data["客户"]["名称"] == "张三丰" and data["客户"]["身份证号"] == customer.id_number
    assert data["联系人"][0]["电话"] == "13900139000"

    done = api.post("po", f"/privacy/requests/{request_id}/complete", {"outcome": "已当面提供副本"})
    assert done.status_code == 200 and done.json()["state"] == "done" and done.json()["closed_at"]
    assert api.get("po", "/privacy/requests").json() == []
    assert [r["id"] for r in api.get("po", "/privacy/requests?state=closed").json()] == [request_id]
    assert api.post("po", f"/privacy/requests/{request_id}/verify", {"verification": "x"}).status_code == 409

    events = set(AuditEvent.objects.filter(object_type="privacy_request", object_id=str(request_id))
                 .values_list("event_code", flat=True))
    assert {PrivacyEvent.REQUEST_RECEIVED, PrivacyEvent.REQUEST_VERIFIED, PrivacyEvent.REQUEST_EXPORTED,
            PrivacyEvent.REQUEST_DONE} <= events
    assert list(verify_chain()) == []


def test_refusal_needs_reasons_and_a_request_due_soon_is_listed_first(world, api):
    customer = _person(world)
    now = timezone.now()
    old = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="deletion", channel="phone",
                                  now=now - timedelta(days=40))
    new = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="correction", channel="online")
    rows = api.get("po", "/privacy/requests").json()
    assert [r["id"] for r in rows] == [old.pk, new.pk]
    assert rows[0]["overdue"] and not rows[1]["overdue"]

    empty = api.post("po", f"/privacy/requests/{new.pk}/refuse", {"reason": ""})
    assert empty.status_code == 422 and empty.json()["code"] == "invalid_input"
    blank = api.post("po", f"/privacy/requests/{new.pk}/refuse", {"reason": "   "})
    assert blank.status_code == 400 and blank.json()["code"] == "required"
    refused = api.post("po", f"/privacy/requests/{new.pk}/refuse", {"reason": "无法核实本人身份"})
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert refused.json()["reason"] == "无法核实本人身份"


def test_another_branch_gets_404_for_a_customer_out_of_scope(world, api):
    customer = _person(world)  # 北京分公司
    request = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="access", channel="counter")
    for method, path, body in [
        ("GET", f"/privacy/requests/{request.pk}", None),
        ("POST", f"/privacy/requests/{request.pk}/verify", {"verification": "身份证"}),
        ("POST", f"/privacy/requests/{request.pk}/refuse", {"reason": "无"}),
        ("GET", f"/privacy/requests/{request.pk}/export", None),
    ]:
        response = api.call("sh_po", method, path, body)
        assert response.status_code == 404, (path, response.content)
        assert response.json()["code"] == "not_found"
    assert api.get("sh_po", "/privacy/requests?state=all").json() == []

    created = api.post("sh_cm", "/privacy/requests", {"customer_id": customer.pk, "kind": "access",
                                                       "channel": "counter"})
    assert created.status_code == 404
    assert api.get("sh_cm", f"/customers/{customer.pk}/privacy-consents").status_code == 404
    # The same answer as for an id that does not exist.
    assert api.get("po", "/privacy/requests/987654").status_code == 404
    assert DataSubjectRequest.objects.get(pk=request.pk).state == RequestState.RECEIVED


def test_only_a_privacy_officer_handles_requests(world, api):
    customer = _person(world)
    request = privacy.request_receive(actor=world.bj_cm, customer_id=customer.pk, kind="access", channel="counter")
    # The auditor reads the requests of the branch but handles none: 403.
    assert api.get("bj_auditor", f"/privacy/requests/{request.pk}").status_code == 200
    for path, body in [(f"/privacy/requests/{request.pk}/verify", {"verification": "身份证"}),
                       (f"/privacy/requests/{request.pk}/complete", {"outcome": "已提供"})]:
        response = api.post("bj_auditor", path, body)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert api.get("bj_auditor", f"/privacy/requests/{request.pk}/export").status_code == 403
    # The customer manager takes requests from the person but has no privacy inbox: the list is 403.
    listing = api.get("bj_cm", "/privacy/requests")
    assert listing.status_code == 403 and listing.json()["code"] == "forbidden"
    # The system administrator sees no customer data at all.
    assert api.get("admin", "/privacy/notices").status_code == 403
    assert api.get("admin", f"/customers/{customer.pk}/privacy-consents").status_code == 404
    assert DataSubjectRequest.objects.get(pk=request.pk).state == RequestState.RECEIVED


def test_consent_recorded_listed_and_withdrawn(world, api):
    customer = _person(world)
    refused = api.post("bj_cm", "/privacy/consents", {"customer_id": customer.pk, "purpose": "marketing",
                                                      "channel": "paper"})
    assert refused.status_code == 400 and refused.json()["code"] == "no_notice"
    privacy.notice_publish(actor=None, version="2026.1", content="个人信息保护告知书 v1", effective_from=date(2026, 1, 1))

    notices = api.get("po", "/privacy/notices").json()
    assert [(n["version"], n["in_force"]) for n in notices] == [("2026.1", True)]
    register = {p["code"]: p for p in api.get("bj_cm", "/privacy/purposes").json()}
    assert "marketing" in register and register["marketing"]["legal_basis"] == "consent"
    assert any(f["field"] for p in register.values() for f in p["fields"])

    given = api.post("bj_cm", "/privacy/consents", {"customer_id": customer.pk, "purpose": "marketing",
                                                    "channel": "paper"})
    assert given.status_code == 201, given.content
    consent = given.json()
    assert consent["notice_version"] == "2026.1" and consent["live"] and consent["recorded_by"] == "bj_cm"
    unknown = api.post("bj_cm", "/privacy/consents", {"customer_id": customer.pk, "purpose": "nope",
                                                      "channel": "paper"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "purpose"
    bad = api.post("bj_cm", "/privacy/consents", {"customer_id": customer.pk, "purpose": "marketing",
                                                  "channel": "carrier pigeon"})
    assert bad.status_code == 422

    listed = api.get("po", f"/customers/{customer.pk}/privacy-consents").json()
    assert [c["id"] for c in listed] == [consent["id"]]
    assert api.get("bj_auditor", f"/customers/{customer.pk}/privacy-consents").status_code == 200

    withdrawn = api.post("bj_cm", f"/privacy/consents/{consent['id']}/withdraw")
    assert withdrawn.status_code == 200 and not withdrawn.json()["live"] and withdrawn.json()["withdrawn_at"]
    assert not privacy.has_consent(customer.pk, "marketing")
    assert api.post("sh_cm", f"/privacy/consents/{consent['id']}/withdraw").status_code == 404
    assert AuditEvent.objects.filter(event_code=PrivacyEvent.CONSENT_WITHDRAWN, actor=world.bj_cm).count() == 1
