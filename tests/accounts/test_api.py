"""The accounts API as a client calls it: open, detail with usage, post, check, breaches, tasks."""

from __future__ import annotations

from datetime import date

import pytest
from tests._fixtures.api import ApiClient

from kehu.accounts.models import AccountTransaction, RemediationTask
from kehu.core.models import RuleParameter


@pytest.fixture
def api(world):
    return ApiClient(world)


def txn(txn_id, account_no, txn_type, amount, direction, when="2024-02-29T10:00:00+08:00"):
    return {"txn_id": txn_id, "account_no": account_no, "posted_at": when, "direction": direction, "type": txn_type,
            "amount": amount}


def test_open_post_check_and_detail(api, world):
    person = world.individual()
    r = api.post("bj_cm", "/accounts/accounts", {"account_no": "A-I", "tier": "I", "opened_on": "2020-01-01",
                                                 "channel": "counter", "identity_check": "face_to_face",
                                                 "customer_id": person.pk})
    assert r.status_code == 201 and r.json()["suggest_class2_3"] is True
    r = api.post("bj_cm", "/accounts/accounts", {"account_no": "A-III", "tier": "III", "opened_on": "2020-01-01",
                                                 "channel": "online", "identity_check": "five_elements",
                                                 "customer_id": person.pk, "bound_account_no": "A-I",
                                                 "bound_kind": "class1", "bound_same_bank": True})
    assert r.status_code == 201
    body = r.json()["account"]
    number = person.id_number
    assert body["id_number_masked"] == number[:3] + "*" * 11 + number[-4:] and number not in r.content.decode()
    r = api.post("bj_cm", "/accounts/transactions", txn("t1", "A-III", "bound_in", "1800.00", "in"))
    assert r.status_code == 201 and r.json()["breaches"] == []
    r = api.post("bj_cm", "/accounts/transactions/check", txn("t2", "A-III", "inbound_nonbound", "200.01", "in"))
    assert r.status_code == 200
    assert r.json()["allowed"] is False and r.json()["room"] == {"class3_balance": "200.00", "class3_in_day": "5000.00",
                                                                 "class3_in_year": "100000.00"}
    assert r.json()["violations"][0]["rule"] == "class3_balance"
    assert not AccountTransaction.objects.filter(txn_id="t2").exists()
    r = api.post("bj_cm", "/accounts/transactions/check", txn("t2", "A-III", "inbound_nonbound", "200.00", "in"))
    assert r.json()["allowed"] is True
    r = api.get("bj_cm", "/accounts/accounts/A-III")
    assert r.status_code == 200 and r.json()["balance"] == "1800.00" and r.json()["class3_total"] == "1800.00"
    # monitoring mode (the default) records the breach
    r = api.post("bj_cm", "/accounts/transactions", txn("t3", "A-III", "inbound_nonbound", "300.00", "in"))
    assert r.json()["breaches"] == ["class3_balance"]
    r = api.get("bj_cm", "/accounts/breaches")
    assert r.json() == [{"txn_id": "t3", "rule": "class3_balance"}]


def test_gate_mode_refuses_with_409_and_the_room(api, world):
    person = world.individual()
    from .conftest import open_account

    open_account(world, person, "II", "G-II")
    RuleParameter.objects.create(code="acct.mode", value="gate", effective_from=date(2020, 1, 1),
                                 status=RuleParameter.Status.APPROVED)
    assert api.post("bj_cm", "/accounts/transactions",
                    txn("g1", "G-II", "consumption_payment", "9000.00", "out")).status_code == 201
    r = api.post("bj_cm", "/accounts/transactions", txn("g2", "G-II", "cash_withdrawal", "1000.01", "out"))
    assert r.status_code == 409 and r.json()["code"] == "posting_refused"
    assert r.json()["problems"] == [{"rule": "class2_out_day", "remaining": "1000.00"}]
    assert not AccountTransaction.objects.filter(txn_id="g2").exists()


def test_bad_input_is_4xx_json(api, world):
    person = world.individual()
    from .conftest import open_account

    open_account(world, person, "II", "B-II")
    for body in (txn("b", "B-II", "cash_deposit", "1.001", "in"), txn("b", "B-II", "cash_deposit", "1", "out"),
                 txn("b", "B-II", "gift", "1", "in"), txn("b", "B-II", "cash_deposit", "1", "in", when="2024-02-29"),
                 txn("b", "B-II", "cash_deposit", "-5", "in"), txn("b", "B-II", "cash_deposit", "1e3", "in"),
                 txn("b", "B-II", "cash_deposit", "1", "in", when="9999-12-31T23:59:59-12:00"),
                 txn("b", "B-II", "cash_deposit", "1", "in", when="0001-01-01T00:00:00+14:00"), {"txn_id": "x"}):
        r = api.post("bj_cm", "/accounts/transactions", body)
        assert 400 <= r.status_code < 500 and "code" in r.json(), (body, r.content)
    assert api.post("bj_cm", "/accounts/transactions", txn("b", "NOPE", "cash_deposit", "1", "in")).status_code == 404
    assert api.post("sh_cm", "/accounts/transactions", txn("b", "B-II", "cash_deposit", "1", "in")).status_code == 404
    assert api.get("sh_cm", "/accounts/accounts/B-II").status_code == 404
    assert api.get(None, "/accounts/accounts").status_code == 401


def test_tasks_and_completion(api, world):
    person = world.individual()
    from .conftest import open_account

    open_account(world, person, "III", "K-III", identity="five_elements", channel="online")
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="100.00",
                                 effective_from=date(2020, 1, 1), status=RuleParameter.Status.APPROVED)
    r = api.post("bj_cm", "/accounts/transactions", txn("k1", "K-III", "bound_in", "100.00", "in",
                                                        when="2024-02-25T10:00:00+08:00"))
    task_id = r.json()["task_id"]
    assert task_id
    tasks = api.get("bj_cm", "/accounts/tasks?state=overdue").json()
    assert [t["id"] for t in tasks] == [task_id] and tasks[0]["due_date"] == "2024-03-03" and tasks[0]["overdue"]
    assert api.get("sh_cm", "/accounts/tasks?state=all").json() == []
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = api.client.post(f"/api/v1/accounts/tasks/{task_id}/complete",
                        {"id_file": SimpleUploadedFile("id.png", b"\x89PNG..."), "occupation": "工程师",
                         "address": "北京市海淀区中关村大街1号", "id_expires_on": "2036-05-01"},
                        HTTP_AUTHORIZATION=f"Bearer {api.token('bj_cm')}")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done"
    task = RemediationTask.objects.get(pk=task_id)
    assert task.id_document.kind == "identity" and task.customer.occupation == "工程师"
