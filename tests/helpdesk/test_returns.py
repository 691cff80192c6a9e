"""Returns (domain spec S-11): request -> authorised (approval by amount) -> goods received -> inspected ->
disposition -> credit note (refunds) -> closed; every other move is refused; the credit note reduces
receivables."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import Client

from kehu.core import services as core_services
from kehu.core.calendar import SHANGHAI
from kehu.core.errors import InvalidInput, InvalidTransition, PermissionDenied, SelfApprovalNotAllowed
from kehu.helpdesk import rules, services
from kehu.helpdesk.models import ReceivableReduction, State
from kehu.helpdesk.selectors import receivable_reductions

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 9, 29, 10, 0, tzinfo=SHANGHAI)
FAR = date(2030, 1, 1)
PASSWORD = "Kehu-test-2026"

RETURN_STATES = ["received", "authorised", "goods_received", "inspected", "dispositioned", "credited", "closed",
                 "rejected", "withdrawn"]
LEGAL = {("received", "authorised"), ("received", "rejected"), ("authorised", "goods_received"),
         ("goods_received", "inspected"), ("inspected", "dispositioned"), ("dispositioned", "credited"),
         ("dispositioned", "closed"), ("credited", "closed")}


@pytest.mark.parametrize("current", RETURN_STATES)
@pytest.mark.parametrize("target", RETURN_STATES)
def test_return_transition_table(current, target):
    legal = (current, target) in LEGAL or (target == "withdrawn" and current not in ("closed", "rejected",
                                                                                      "withdrawn"))
    assert rules.can_transition("return", current, target) is legal


@pytest.mark.parametrize("amount, level", [("10000.00", "service_supervisor"), ("10000.01", "finance_officer"),
                                           ("50000.00", "finance_officer"), ("50000.01", "general_manager")])
def test_return_approver_level(amount, level):
    assert rules.return_approver_level(Decimal(amount), Decimal("10000.00"), Decimal("50000.00")) == level


def open_return(w, amount):
    return services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="return", subject="退货",
                                amount=amount, now=NOW)


def walk_to_disposition(w, t, disposition):
    for to in ("goods_received", "inspected"):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to, now=NOW)
    return services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="dispositioned", disposition=disposition,
                                      now=NOW)


def test_refund_walks_the_flow_and_the_credit_note_reduces_receivables(hworld):
    w = hworld
    t = open_return(w, "8000.00")
    with pytest.raises(InvalidTransition):  # nothing happens before authorisation
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="goods_received", now=NOW)
    with pytest.raises(InvalidInput):  # authorising is an approval, not a transition
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="authorised", now=NOW)
    t = services.ticket_approve(actor=w.bj_super, ticket_id=t.pk, now=NOW)
    assert t.state == State.AUTHORISED and t.data["approval_level"] == "service_supervisor"
    assert receivable_reductions(t.customer_id, until=FAR) == Decimal("0.00")  # not before the credit note
    with pytest.raises(InvalidInput):
        walk_to_disposition(w, t, "gift")
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="dispositioned", disposition="refund",
                                   now=NOW)
    with pytest.raises(InvalidTransition):  # a refund needs its credit note before closing
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="closed", now=NOW)
    with pytest.raises(InvalidInput):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="credited", now=NOW)
    with pytest.raises(PermissionDenied):  # agents cannot issue credit notes
        services.return_credit_note(actor=w.bj_agent, ticket_id=t.pk, now=NOW)
    t = services.return_credit_note(actor=w.hq_fin, ticket_id=t.pk, now=NOW)
    assert t.state == State.CREDITED
    red = ReceivableReduction.objects.get(ticket=t)
    assert (red.source, red.reduction_amount) == ("credit_note", Decimal("8000.00"))
    assert receivable_reductions(t.customer_id, until=FAR) == Decimal("8000.00")
    with pytest.raises(InvalidTransition):  # once only
        services.return_credit_note(actor=w.hq_fin, ticket_id=t.pk, now=NOW)
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="closed", now=NOW)
    assert t.state == State.CLOSED and ReceivableReduction.objects.filter(ticket=t).count() == 1


def test_rework_closes_without_credit_note(hworld):
    w = hworld
    t = open_return(w, "500.00")
    services.ticket_approve(actor=w.bj_super, ticket_id=t.pk, now=NOW)
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="goods_received", now=NOW)
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="inspected", now=NOW)
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="dispositioned", disposition="rework", now=NOW)
    with pytest.raises(InvalidTransition):
        services.return_credit_note(actor=w.hq_fin, ticket_id=t.pk, now=NOW)
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="closed", now=NOW)
    assert t.state == State.CLOSED and t.disposition == "rework"
    assert receivable_reductions(t.customer_id, until=FAR) == Decimal("0.00")


def test_approval_by_amount(hworld):
    w = hworld
    hq_super = core_services.user_create(username="hq_super", org_code="HQ", roles=["service_supervisor"],
                                         password=PASSWORD, actor=None)
    gm = w.hq_gm  # the general-manager role (S-11), not a head-office service supervisor
    mid, big = open_return(w, "20000.00"), open_return(w, "60000.00")
    with pytest.raises(PermissionDenied):
        services.ticket_approve(actor=w.bj_super, ticket_id=mid.pk, now=NOW)
    assert services.ticket_approve(actor=w.hq_fin, ticket_id=mid.pk, now=NOW).state == State.AUTHORISED
    for actor in (w.bj_super, w.hq_fin, hq_super):
        with pytest.raises(PermissionDenied):
            services.ticket_approve(actor=actor, ticket_id=big.pk, now=NOW)
    t = services.ticket_approve(actor=gm, ticket_id=big.pk, now=NOW)
    assert t.state == State.AUTHORISED and t.data["approval_level"] == "general_manager"
    small = open_return(w, "100.00")
    assert services.ticket_approve(actor=gm, ticket_id=small.pk, now=NOW).state == State.AUTHORISED


def test_the_maker_never_authorises_and_rejection_ends(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_super, customer_id=w.enterprise().pk, kind="return", subject="r",
                             amount="10.00")
    with pytest.raises(SelfApprovalNotAllowed):
        services.ticket_approve(actor=w.bj_super, ticket_id=t.pk)
    t = services.ticket_approve(actor=w.hq_fin, ticket_id=t.pk, approve=False)
    assert t.state == State.REJECTED
    with pytest.raises(InvalidTransition):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="goods_received")


def test_return_pages_and_api(hworld):
    w = hworld
    t = open_return(w, "300.00")
    sup = Client()
    sup.force_login(w.bj_super)
    sup.post(f"/helpdesk/{t.pk}/action/", {"action": "approve"})
    agent = Client()
    agent.force_login(w.bj_agent)
    for to in ("goods_received", "inspected"):
        agent.post(f"/helpdesk/{t.pk}/action/", {"action": to})
    page = agent.get(f"/helpdesk/{t.pk}/").content.decode()
    assert 'id="id_disposition"' in page
    agent.post(f"/helpdesk/{t.pk}/action/", {"action": "dispositioned", "disposition": "refund"})
    t.refresh_from_db()
    assert (t.state, t.disposition) == ("dispositioned", "refund")
    assert 'id="do-closed"' not in agent.get(f"/helpdesk/{t.pk}/").content.decode()
    fin = Client()
    fin.force_login(w.hq_fin)
    assert 'id="do-credit_note"' in fin.get(f"/helpdesk/{t.pk}/").content.decode()
    fin.post(f"/helpdesk/{t.pk}/action/", {"action": "credit_note"})
    t.refresh_from_db()
    assert t.state == "credited" and receivable_reductions(t.customer_id, until=FAR) == Decimal("300.00")


def test_return_over_the_api(hworld):
    from tests._fixtures.api import ApiClient

    api, w = ApiClient(hworld), hworld
    r = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": w.enterprise().pk, "kind": "return",
                                                   "subject": "退货", "amount": "700.00"})
    tid = r.json()["id"]
    assert api.post("bj_super", f"/helpdesk/tickets/{tid}/approve", {}).json()["state"] == "authorised"
    for to in ("goods_received", "inspected"):
        assert api.post("bj_agent", f"/helpdesk/tickets/{tid}/transition", {"to": to}).status_code == 200
    r = api.post("bj_agent", f"/helpdesk/tickets/{tid}/transition", {"to": "dispositioned", "disposition": "x"})
    assert r.status_code == 400 and r.json()["code"]
    api.post("bj_agent", f"/helpdesk/tickets/{tid}/transition", {"to": "dispositioned", "disposition": "refund"})
    assert api.post("bj_agent", f"/helpdesk/tickets/{tid}/credit-note", {}).status_code == 403
    r = api.post("hq_fin", f"/helpdesk/tickets/{tid}/credit-note", {})
    assert r.status_code == 200 and r.json()["state"] == "credited"
    assert api.post("hq_fin", f"/helpdesk/tickets/{tid}/credit-note", {}).status_code == 409


def test_the_general_manager_authorises_a_large_return_on_the_page_and_nothing_else(hworld):
    w = hworld
    big = open_return(w, "60000.00")
    gm = Client()
    gm.force_login(w.hq_gm)
    assert 'id="do-approve"' in gm.get(f"/helpdesk/{big.pk}/").content.decode()
    gm.post(f"/helpdesk/{big.pk}/action/", {"action": "approve"})
    big.refresh_from_db()
    assert big.state == State.AUTHORISED and big.approved_by_id == w.hq_gm.pk
    assert big.data["approval_level"] == "general_manager"
    # the general manager authorises returns, not complaint resolutions (those stay with the supervisors)
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="c")
    for to in ("acknowledged", "investigating", "resolution_proposed"):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to)
    with pytest.raises(PermissionDenied):
        services.ticket_approve(actor=w.hq_gm, ticket_id=t.pk)
