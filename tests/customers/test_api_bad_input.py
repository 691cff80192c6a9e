"""Bad input through the API for every write operation: a 4xx with a code, and the database unchanged."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.utils import timezone
from tests.customers.test_api_permissions import _state

TODAY = str(timezone.localdate())

# (method, path, a valid-looking body to corrupt, username allowed to call it)
WRITES = [
    ("POST", "/customers", {"kind": "enterprise", "name": "甲公司", "uscc": "91110105MA01ABCD0X"}, "bj_cm"),
    ("PATCH", "/customers/{c}", {"industry": "冶炼"}, "bj_cm"),
    ("POST", "/customers/{person}/unmask", {"reason": "核实客户身份"}, "bj_cm"),
    ("POST", "/customers/{c}/terminate", {"reason": "other", "note": "测试"}, "bj_office"),
    ("POST", "/customers/{c}/exit", {"note": "客户退出"}, "bj_cm"),
    ("POST", "/customers/{c}/contacts", {"name": "李四"}, "bj_cm"),
    ("POST", "/customers/{c}/licences", {"kind": "safety_permit", "number": "AQ-1"}, "bj_cm"),
    ("POST", "/customers/{c}/contracts", {"number": "HT-X", "signed_on": TODAY}, "bj_cm"),
    ("POST", "/customers/{c}/agreements", {"number": "XY-1", "signed_on": TODAY}, "bj_cm"),
    ("POST", "/consents/{consent}", {"status": "confirmed"}, "bj_cm"),
    ("POST", "/groups", {"code": "G2", "name": "二号集团", "org_code": "BJ"}, "bj_office"),
    ("POST", "/groups/{group}/members", {"customer_id": 1, "relation": "subsidiary"}, "bj_office"),
    ("POST", "/customers/{prospect}/admissions", {"scope_attested": True}, "bj_cm"),
    ("PATCH", "/admissions/{app}", {"scope_attested": True}, "bj_sales"),
    ("POST", "/admissions/{app}/submit", {"note": ""}, "bj_sales"),
    ("POST", "/admissions/{app}/sales-check", {"approve": True}, "bj_cm"),
    ("POST", "/admissions/{app}/office-review", {"approve": True}, "bj_office"),
    ("POST", "/admissions/{app}/opinions", {"department": "finance", "opinion": "approve"}, "bj_dept"),
    ("POST", "/admissions/{app}/votes", {"approve": True}, "hq_committee1"),
    ("POST", "/admissions/{app}/return", {"comment": "请补充"}, "bj_cm"),
]


def _snapshot() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in ("core", "customers") and m._meta.model_name != "apitoken"}


def _corruptions(body: dict):
    yield "malformed json", b'{"name": "x",', "application/json"
    yield "not an object", b"[1, 2, 3]", "application/json"
    yield "not json at all", "名称=甲公司".encode(), "application/json"
    yield "unknown field", json.dumps({**body, "no_such_field": 1}).encode(), "application/json"
    key = next(iter(body), None)
    if key is not None:
        yield "wrong type", json.dumps({**body, key: {"nested": ["x"]}}).encode(), "application/json"
    yield "oversized", json.dumps({**body, "padding": "x" * 2_000_000}).encode(), "application/json"
    yield "invalid utf-8", b'{"name": "\xff\xfe"}', "application/json"


@pytest.mark.parametrize("write", WRITES, ids=[f"{w[0]} {w[1]}" for w in WRITES])
def test_bad_input_is_refused_cleanly(api, world, write):
    method, path, body, username = write
    state = _state(world)
    api.token(username)
    url = path.format(**state)
    before = _snapshot()
    for label, raw, content_type in _corruptions(body):
        response = api.call(username, method, url, raw=raw, content_type=content_type)
        assert 400 <= response.status_code < 500, (label, response.status_code, response.content[:300])
        payload = response.json()
        assert payload["code"] and payload["message"], label
        assert _snapshot() == before, label


INVALID_VALUES = [
    ("POST", "/customers", {"kind": "enterprise", "name": "甲公司", "uscc": "91110105MA01ABCD01"}, "invalid_identifier"),
    ("POST", "/customers", {"kind": "individual", "name": "张三", "id_number": "110105199001011234"},
     "invalid_identifier"),
    ("POST", "/customers", {"kind": "martian", "name": "甲公司"}, "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲公司"}, "required"),
    ("POST", "/customers", {"kind": "enterprise", "name": "", "uscc": "91110105MA01ABCD0X"}, "invalid_input"),
    ("POST", "/customers", {"kind": "individual", "name": "张三", "phone": "12345"}, "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲", "registered_capital_amount": "-1"}, "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲", "registered_capital_amount": "1.001"},
     "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲", "registered_capital_amount": "1e30"},
     "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲", "registered_capital_amount": "NaN"},
     "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲" * 201}, "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲\u0000乙", "uscc": "91110105MA01ABCD0X"},
     "invalid_input"),
    ("POST", "/customers", {"kind": "enterprise", "name": "甲", "org_code": "NOPE"}, "invalid_input"),
    ("PATCH", "/customers/{c}", {"uscc": "ABC"}, "invalid_identifier"),
    ("PATCH", "/customers/{c}", {"manager_id": 999999}, "invalid_input"),
    ("POST", "/customers/{c}/licences", {"kind": "business_licence", "number": "1", "valid_from": "2026-13-01"},
     "invalid_input"),
    ("POST", "/customers/{c}/licences", {"kind": "business_licence", "number": "1", "valid_from": "2026-02-01",
                                         "valid_to": "2025-01-01"}, "invalid_input"),
    ("POST", "/customers/{c}/contracts", {"number": "HT", "signed_on": TODAY, "amount": 12.5}, None),
    ("POST", "/admissions/{app}/opinions", {"department": "marketing", "opinion": "approve"}, "invalid_input"),
    ("POST", "/groups/{group}/members", {"customer_id": 1, "relation": "cousin"}, "invalid_input"),
    ("POST", "/customers/{person}/unmask", {"fields": ["password"], "reason": "核实客户身份"}, "invalid_input"),
]


@pytest.mark.parametrize("case", INVALID_VALUES, ids=[f"{c[0]} {c[1]} {i}" for i, c in enumerate(INVALID_VALUES)])
def test_invalid_values_are_refused_with_a_code(api, world, case):
    method, path, body, code = case
    state = _state(world)
    api.token("bj_cm")
    before = _snapshot()
    response = api.call("bj_cm", method, path.format(**state), body)
    if code is None:
        # A JSON number for money is accepted exactly (12.5 → 12.50), never rounded through a float.
        assert response.status_code == 201, response.content
        assert response.json()["amount"] == "12.50"
        return
    assert 400 <= response.status_code < 500, (response.status_code, response.content)
    assert response.json()["code"] in (code, "invalid_input", "invalid_identifier"), response.content
    assert _snapshot() == before
