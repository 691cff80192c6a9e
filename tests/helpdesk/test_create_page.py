"""Phone entry: the ticket-creation page and the customer picker behind its search-as-you-type."""

import pytest
from django.test import Client

from kehu.helpdesk.models import Ticket

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_picker_searches_in_scope_with_a_small_limit(hworld):
    w = hworld
    mine = [w.enterprise(name=f"北京鑫源铜业{i}有限公司") for i in range(15)]
    w.enterprise(by=w.sh_cm, name="北京鑫源铜业上海有限公司")  # Shanghai's: out of the BJ agent's scope
    c = client_for(w.bj_agent)
    r = c.get("/api/v1/helpdesk/customer-picker", {"q": "鑫源"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 10  # default limit: the page never loads the whole customer list
    assert {i["id"] for i in items} <= {m.pk for m in mine}
    assert len(c.get("/api/v1/helpdesk/customer-picker", {"q": "鑫源", "limit": 20}).json()["items"]) == 15
    assert c.get("/api/v1/helpdesk/customer-picker", {"q": "鑫源", "limit": 500}).status_code == 422
    assert c.get("/api/v1/helpdesk/customer-picker", {"q": ""}).json() == {"items": []}
    assert Client().get("/api/v1/helpdesk/customer-picker", {"q": "鑫源"}).status_code == 401
    r = client_for(w.bj_auditor).get("/api/v1/helpdesk/customer-picker", {"q": "鑫源"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_phone_entry_creates_a_complaint(hworld):
    w = hworld
    customer = w.enterprise()
    c = client_for(w.bj_agent)
    page = c.get("/helpdesk/new/")
    assert page.status_code == 200 and b'data-url="/api/v1/helpdesk/customer-picker"' in page.content
    r = c.post("/helpdesk/new/", {"kind": "complaint", "channel": "phone", "priority": "high",
                                  "customer_id": str(customer.pk), "customer_label": customer.name,
                                  "subject": "到货延迟", "description": "客户来电", "category": "到货延迟",
                                  "root_cause": "carrier", "product": "铜杆", "contract": "HT-2025-01",
                                  "team": "华北组", "subject_username": "bj_agent2", "financial_consumer": "on"})
    t = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/helpdesk/{t.pk}/"
    assert (t.kind, t.channel, t.priority, t.contract, t.team, t.root_cause) == (
        "complaint", "phone", "high", "HT-2025-01", "华北组", "carrier")
    assert t.subject_user == w.bj_agent2 and t.financial_consumer and t.regulatory_due is not None


@pytest.mark.parametrize("data", [
    {"customer_id": "", "subject": "x"},
    {"customer_id": "abc", "subject": "x"},
    {"customer_id": "999999", "subject": "x"},
    {"subject": ""},
    {"kind": "bogus"},
    {"channel": "fax"},
    {"subject_username": "nobody"},
    {"kind": "allowance", "amount": "10.00"},  # no evidence document
])
def test_bad_entries_are_400_and_create_nothing(hworld, data):
    customer = hworld.enterprise()
    c = client_for(hworld.bj_agent)
    base = {"kind": "complaint", "channel": "phone", "priority": "normal", "customer_id": str(customer.pk),
            "subject": "s"}
    r = c.post("/helpdesk/new/", {**base, **data})
    assert r.status_code == 400 and b'id="form-error"' in r.content
    assert not Ticket.objects.exists()


def test_out_of_scope_customer_and_roles(hworld):
    w = hworld
    sh_customer = w.enterprise(by=w.sh_cm)
    c = client_for(w.bj_agent)
    r = c.post("/helpdesk/new/", {"kind": "complaint", "customer_id": str(sh_customer.pk), "subject": "s"})
    assert r.status_code == 400 and not Ticket.objects.exists()
    assert client_for(w.bj_auditor).get("/helpdesk/new/").status_code == 403
