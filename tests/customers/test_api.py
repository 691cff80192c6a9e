"""The customer archive through the REST API, as a client calls it."""

from __future__ import annotations

import random

from kehu.core.models import AuditEvent
from kehu.customers.generators import make_resident_id, make_uscc
from kehu.customers.models import Customer, InfoChangeLog


def test_openapi_is_served(api):
    assert api.client.get("/api/v1/openapi.json").status_code == 401  # not in debug: a token or a session
    response = api.get("bj_cm", "/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/customers" in paths and "/api/v1/admissions/{application_id}/votes" in paths


def test_request_without_token_is_401_json(api):
    response = api.get(None, "/customers")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    response = api.client.get("/api/v1/customers", HTTP_AUTHORIZATION="Bearer kehu_not-a-token")
    assert response.status_code == 401


def test_create_enterprise_and_read_it_back(api):
    code = make_uscc(random.Random(1))
    response = api.post("bj_cm", "/customers", {
        "kind": "enterprise", "name": "衡阳恒泰有色金属有限公司", "uscc": code.lower(),
        "legal_representative": "王伟", "registered_capital_amount": "12000000.50", "industry": "有色金属",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["uscc"] == code
    assert body["registered_capital_amount"] == "12000000.50"
    assert body["admission_status"] == "prospect"
    assert body["manager"] == "bj_cm" and body["org_unit"] == "BJ"
    again = api.get("bj_cm", f"/customers/{body['id']}")
    assert again.status_code == 200 and again.json()["name"] == "衡阳恒泰有色金属有限公司"
    assert AuditEvent.objects.filter(event_code=2001, customer_id=body["id"]).count() == 1


def test_individual_personal_data_is_masked_and_unmask_is_audited(api, world):
    id_number = make_resident_id(random.Random(2))
    response = api.post("bj_cm", "/customers", {
        "kind": "individual", "name": "张三丰", "id_number": id_number, "phone": "13812345678",
        "address": "北京市朝阳区建国路88号", "email": "zhang@example.com",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "张**"
    assert body["id_number"] == id_number[:3] + "*" * 11 + id_number[-4:]
    assert body["phone"] == "138****5678"
    assert body["address"].startswith("北京市朝阳区") and "建国路" not in body["address"]
    assert body["email"] == "z***@example.com"

    refused = api.post("bj_cm", f"/customers/{body['id']}/unmask", {"fields": ["id_number"], "reason": ""})
    assert refused.status_code in (400, 422)
    ok = api.post("bj_cm", f"/customers/{body['id']}/unmask", {"fields": ["id_number", "phone"],
                                                                "reason": "客户来电核实身份"})
    assert ok.status_code == 200
    assert ok.json()["values"] == {"id_number": id_number, "phone": "13812345678"}
    event = AuditEvent.objects.filter(event_code=2003, customer_id=body["id"]).get()
    assert event.actor_name == "bj_cm" and event.reason == "客户来电核实身份"
    assert api.post("bj_auditor", f"/customers/{body['id']}/unmask",
                    {"reason": "查看一下"}).status_code == 403


def test_search_by_pinyin_initials_credit_code_and_id_number(api, world):
    bank = world.enterprise(name="中国银行股份有限公司")
    other = world.enterprise(name="衡阳华鑫化工有限公司")
    person = world.individual(name="李四")
    for q, expected in [("zgyh", bank), ("zhongguoyinhang", bank), ("中国银行", bank), ("华鑫", other),
                        (bank.uscc[:8], bank), (person.id_number, person)]:
        response = api.get("bj_cm", "/customers", data={"q": q})
        assert response.status_code == 200
        ids = [c["id"] for c in response.json()["items"]]
        assert expected.pk in ids, q
    # The SH manager sees none of BJ's customers, whatever the query.
    assert api.get("sh_cm", "/customers", data={"q": "zgyh"}).json()["items"] == []


def test_list_is_keyset_paginated(api, world):
    created = [world.enterprise().pk for _ in range(5)]
    first = api.get("bj_cm", "/customers", data={"limit": 2}).json()
    assert [c["id"] for c in first["items"]] == sorted(created, reverse=True)[:2]
    second = api.get("bj_cm", "/customers", data={"limit": 2, "before": first["next_before"]}).json()
    assert [c["id"] for c in second["items"]] == sorted(created, reverse=True)[2:4]
    last = api.get("bj_cm", "/customers", data={"limit": 2, "before": second["next_before"]}).json()
    assert last["next_before"] is None and len(last["items"]) == 1


def test_patch_personal_field_logs_change_and_asks_consent(api, world):
    person = world.individual()
    response = api.patch("bj_cm", f"/customers/{person.pk}", {"phone": "13900001111", "occupation": "教师"})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    changes = {c.field: c for c in InfoChangeLog.objects.filter(customer=person)}
    assert set(changes) == {"phone", "occupation"}
    assert changes["phone"].new_display == "139****1111" and changes["phone"].is_personal
    consents = api.get("bj_cm", f"/customers/{person.pk}/consents").json()
    assert len(consents) == 1 and consents[0]["status"] == "pending" and consents[0]["fields"] == ["phone", "occupation"]
    answered = api.post("bj_cm", f"/consents/{consents[0]['id']}", {"status": "confirmed", "channel": "phone"})
    assert answered.status_code == 200 and answered.json()["status"] == "confirmed"
    stale = api.patch("bj_cm", f"/customers/{person.pk}", {"occupation": "工程师", "expected_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"


def test_licence_expiry_state_and_documents(api, world):
    customer = world.enterprise()
    response = api.post("bj_cm", f"/customers/{customer.pk}/licences", {
        "kind": "business_licence", "number": customer.uscc, "valid_from": "2020-01-01", "valid_to": "2021-01-01"})
    assert response.status_code == 201 and response.json()["state"] == "expired"
    upload = api.client.post(
        f"/api/v1/customers/{customer.pk}/documents",
        data={"kind": "licence", "title": "营业执照副本", "file": _file(b"%PDF-1.4 licence scan")},
        HTTP_AUTHORIZATION=f"Bearer {api.token('bj_cm')}",
    )
    assert upload.status_code == 201, upload.content
    doc = upload.json()
    download = api.get("bj_office", f"/documents/{doc['id']}/content")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 licence scan"
    assert api.get("sh_office", f"/documents/{doc['id']}/content").status_code == 404


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("licence.pdf", data, content_type="application/pdf")


def test_groups(api, world):
    a, b = world.enterprise(), world.enterprise()
    group = api.post("bj_office", "/groups", {"code": "G-HS", "name": "水口山集团", "org_code": "BJ"})
    assert group.status_code == 201, group.content
    gid = group.json()["id"]
    assert api.post("bj_office", f"/groups/{gid}/members",
                    {"customer_id": a.pk, "relation": "parent"}).status_code == 201
    assert api.post("bj_office", f"/groups/{gid}/members",
                    {"customer_id": b.pk, "relation": "subsidiary", "evidence": "持股60%"}).status_code == 201
    twice = api.post("bj_office", f"/groups/{gid}/members", {"customer_id": b.pk, "relation": "other"})
    assert twice.status_code == 409 and twice.json()["code"] == "already_in_group"
    detail = api.get("bj_cm", f"/groups/{gid}").json()
    assert {m["customer_id"] for m in detail["members"]} == {a.pk, b.pk}
    assert api.get("sh_cm", f"/groups/{gid}").status_code == 404
    assert api.delete("bj_office", f"/groups/{gid}/members/{b.pk}").status_code == 204


def test_customer_count_unchanged_by_refused_create(api):
    before = Customer.objects.count()
    response = api.post("bj_cm", "/customers", {"kind": "enterprise", "name": "某公司",
                                                "uscc": "91110000MA01ABCD00"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_identifier"
    assert Customer.objects.count() == before
