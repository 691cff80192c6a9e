"""Allowance approval (domain spec S-12) over the API and on the ticket page: the band, the required
sign-offs, those given, and the approve/reject buttons only for users who may sign now."""

import pytest
from django.test import Client
from django.utils import translation

from kehu.helpdesk.models import ReceivableReduction, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(hworld):
    from tests._fixtures.api import ApiClient

    return ApiClient(hworld)


def open_allowance(api, hworld, amount="50000.00", invoice="1000000.00"):
    r = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": hworld.enterprise().pk, "kind": "allowance",
                                                   "subject": "折让", "amount": amount, "invoice_amount": invoice,
                                                   "evidence_document": "销货折让证明单 2025-11"})
    assert r.status_code == 201, r.content
    return r.json()


def test_band_2_over_the_api(api, hworld):
    body = open_allowance(api, hworld)
    tid = body["id"]
    assert body["allowance"]["band"] == 2 and body["allowance"]["invoice_amount"] == "1000000.00"
    assert body["allowance"]["required"] == ["sales_manager", "finance_manager"]
    assert body["allowance"]["can_sign"] == []  # the requester
    assert api.get("bj_sales_mgr", f"/helpdesk/tickets/{tid}").json()["allowance"]["can_sign"] == ["sales_manager"]
    # wrong role for what is outstanding: 403 with the code; the old approvers: 403
    r = api.post("hq_gm", f"/helpdesk/tickets/{tid}/approve", {})
    assert r.status_code == 403 and r.json()["code"] == "approval_level"
    assert api.post("bj_super", f"/helpdesk/tickets/{tid}/approve", {}).status_code == 403
    r = api.post("bj_sales_mgr", f"/helpdesk/tickets/{tid}/approve", {"reason": "价格差异属实"})
    assert r.status_code == 200, r.content
    a = r.json()["allowance"]
    assert r.json()["state"] == "received" and a["outstanding"] == ["finance_manager"]
    assert [(s["username"], s["role"], s["decision"], s["reason"]) for s in a["sign_offs"]] == [
        ("bj_sales_mgr", "sales_manager", "approved", "价格差异属实")]
    r = api.post("bj_sales_mgr", f"/helpdesk/tickets/{tid}/approve", {})
    assert r.status_code == 409 and r.json()["code"] == "already_signed"
    r = api.post("hq_fin_mgr", f"/helpdesk/tickets/{tid}/approve", {"role": "finance_manager"})
    assert r.status_code == 200 and r.json()["state"] == "approved" and r.json()["allowance"]["outstanding"] == []
    assert ReceivableReduction.objects.filter(ticket_id=tid).count() == 1


def test_reject_and_role_choice_over_the_api(api, hworld):
    tid = open_allowance(api, hworld)["id"]
    r = api.post("bj_both", f"/helpdesk/tickets/{tid}/approve", {"role": "general_manager"})
    assert r.status_code == 400 and r.json()["code"] == "not_outstanding"
    r = api.post("hq_fin_mgr", f"/helpdesk/tickets/{tid}/approve", {"approve": False, "reason": "凭证未盖章"})
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert r.json()["allowance"]["sign_offs"][0]["decision"] == "rejected"
    assert not ReceivableReduction.objects.filter(ticket_id=tid).exists()
    assert api.post("sh_sales_mgr", f"/helpdesk/tickets/{tid}/approve", {}).status_code == 404


def test_a_complaint_has_no_allowance_block(api, hworld):
    r = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": hworld.enterprise().pk, "kind": "complaint",
                                                   "subject": "x"})
    assert r.json()["allowance"] is None


def page(user, tid):
    c = Client()
    c.force_login(user)
    with translation.override("zh-hans"):
        r = c.get(f"/helpdesk/{tid}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    return c, r.content.decode()


def test_page_shows_band_sign_offs_and_buttons_only_to_signers(api, hworld):
    w = hworld
    tid = open_allowance(api, hworld, amount="150000.00", invoice="10000000.00")["id"]  # band 3
    _, html = page(w.bj_agent, tid)
    assert 'id="allowance-approval"' in html and "第 3 档" in html and "1.50 %" in html
    assert "销售经理" in html and "财务经理" in html and "总经理" in html and "等待签批" in html
    assert 'id="do-sign-' not in html and 'id="do-reject"' not in html and 'id="do-approve"' not in html
    _, html = page(w.bj_super, tid)  # a supervisor no longer signs allowances
    assert 'id="do-sign-' not in html and 'id="do-approve"' not in html
    c, html = page(w.hq_gm, tid)
    assert 'id="do-sign-general_manager"' in html and 'id="do-reject"' in html and "以总经理身份同意" in html
    r = c.post(f"/helpdesk/{tid}/action/", {"action": "sign:general_manager", "reason": "同意"})
    assert r.status_code == 302
    _, html = page(w.hq_gm, tid)  # signed: no more buttons for him, his sign-off in the table
    assert 'id="do-sign-' not in html and "hq_gm" in html
    c, html = page(w.bj_both, tid)  # holds two outstanding roles: one button each, but signs once
    assert 'id="do-sign-sales_manager"' in html and 'id="do-sign-finance_manager"' in html
    c.post(f"/helpdesk/{tid}/action/", {"action": "sign:finance_manager"})
    _, html = page(w.bj_both, tid)
    assert 'id="do-sign-' not in html
    c, html = page(w.bj_sales_mgr, tid)
    c.post(f"/helpdesk/{tid}/action/", {"action": "sign:sales_manager"})
    t = Ticket.objects.get(pk=tid)
    assert t.state == "approved" and ReceivableReduction.objects.filter(ticket=t).count() == 1
    _, html = page(w.bj_sales_mgr, tid)
    assert 'id="do-sign-' not in html and 'id="do-reject"' not in html and "等待签批" not in html


def test_page_reject_and_refused_sign_off_message(api, hworld):
    w = hworld
    tid = open_allowance(api, hworld, amount="5000.00")["id"]  # band 1
    c = Client()
    c.force_login(w.hq_fin_mgr)
    r = c.post(f"/helpdesk/{tid}/action/", {"action": "sign:finance_manager"}, follow=True)
    assert "此折让不在等待该角色的签批。" in r.content.decode()
    r = c.post(f"/helpdesk/{tid}/action/", {"action": "reject"}, follow=True)
    assert "您的角色在此折让上没有待签批的环节。" in r.content.decode()
    assert Ticket.objects.get(pk=tid).state == "received"
    c, _ = page(w.bj_sales_mgr, tid)
    c.post(f"/helpdesk/{tid}/action/", {"action": "reject", "reason": "价格已含折扣"})
    t = Ticket.objects.get(pk=tid)
    assert t.state == "rejected" and t.data["approval"]["sign_offs"][0]["reason"] == "价格已含折扣"
    _, html = page(w.bj_sales_mgr, tid)
    assert "已否决" in html and 'id="do-reject"' not in html
