"""The status history of tickets (issue 12, item 5): one ``TicketStatusChange`` row per change of state, written
by the service in the change's transaction with the actor and the reason given; none for a refused change or
for the steps that leave the state (pauses, escalations, a sign-off that is not the last, a refused extension);
shown on the ticket page and in the API's ticket detail; one row for every ticket older than the table
(migration 0013's backfill); the reasons cleared when a complaint file is anonymised."""

from __future__ import annotations

import importlib
import itertools
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from kehu.core import services as core_services
from kehu.core.calendar import SHANGHAI
from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.helpdesk import retention, selectors, services
from kehu.helpdesk.errors import HandlerIsSubject
from kehu.helpdesk.models import State, Ticket, TicketStatusChange
from kehu.helpdesk.services import tickets

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)
backfill_migration = importlib.import_module("kehu.helpdesk.migrations.0013_ticket_status_history")


def rows(ticket) -> list[tuple]:
    return [(h.from_status, h.to_status, h.actor.username if h.actor_id else None, h.note)
            for h in selectors.ticket_history(ticket)]


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


@pytest.fixture
def hq_super(hworld):
    return core_services.user_create(username="hq_super", org_code="HQ", roles=["service_supervisor"],
                                     password=PASSWORD, actor=None)


def test_a_complaint_walked_through_its_life_has_one_row_per_change_in_order(hworld, hq_super):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="到货破损",
                             financial_consumer=True, now=at(0))
    minutes = itertools.count(1)  # every step a minute after the one before

    def move(to, reason=""):
        return services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to, reason=reason,
                                          now=at(next(minutes)))

    move("acknowledged", "已电话回复客户")
    move("investigating")
    services.ticket_pause(actor=w.bj_agent, ticket_id=t.pk, reason="等客户寄样品", now=at(next(minutes)))  # the state stays
    services.ticket_resume(actor=w.bj_agent, ticket_id=t.pk, now=at(next(minutes)))
    move("extended_30", "需第三方检测")
    services.ticket_request_extension(actor=w.bj_agent, ticket_id=t.pk, reason="特别复杂", now=at(next(minutes)))
    services.ticket_decide_extension(actor=hq_super, ticket_id=t.pk, reason="同意再延期", now=at(next(minutes)))
    move("resolution_proposed", "换货")
    services.ticket_approve(actor=w.bj_super, ticket_id=t.pk, reason="方案可行", now=at(next(minutes)))
    move("communicated")
    move("closed", "客户接受")
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="reopened", reason="客户再次来电",
                               now=at(60 * 24))

    assert rows(t) == [
        ("", "received", "bj_agent", ""),
        ("received", "acknowledged", "bj_agent", "已电话回复客户"),
        ("acknowledged", "investigating", "bj_agent", ""),
        ("investigating", "extended_30", "bj_agent", "需第三方检测"),
        ("extended_30", "extended_60", "hq_super", "同意再延期"),
        ("extended_60", "resolution_proposed", "bj_agent", "换货"),
        ("resolution_proposed", "approved", "bj_super", "方案可行"),
        ("approved", "communicated", "bj_agent", ""),
        ("communicated", "closed", "bj_agent", "客户接受"),
        ("closed", "reopened", "bj_agent", "客户再次来电"),
    ]
    history = list(selectors.ticket_history(t))
    # each row at the service's moment, the first at the receipt; the chain never skips a state
    assert history[0].ts == Ticket.objects.get(pk=t.pk).received_at
    assert [h.ts for h in history] == sorted(h.ts for h in history)
    assert all(a.to_status == b.from_status for a, b in zip(history, history[1:], strict=False))
    assert history[-1].to_status == Ticket.objects.get(pk=t.pk).state


def test_a_return_and_an_allowance_record_their_approvals_and_credit_note(hworld):
    w = hworld
    r = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="return", subject="退货",
                             amount="800.00", now=at(0))
    services.ticket_approve(actor=w.bj_super, ticket_id=r.pk, reason="质量问题属实", now=at(1))
    for i, to in enumerate(("goods_received", "inspected")):
        services.ticket_transition(actor=w.bj_agent, ticket_id=r.pk, to=to, now=at(2 + i))
    services.ticket_transition(actor=w.bj_agent, ticket_id=r.pk, to="dispositioned", disposition="refund",
                               reason="退款", now=at(4))
    services.return_credit_note(actor=w.hq_fin, ticket_id=r.pk, reason="红字发票 No.1", now=at(5))
    assert rows(r) == [
        ("", "received", "bj_agent", ""),
        ("received", "authorised", "bj_super", "质量问题属实"),
        ("authorised", "goods_received", "bj_agent", ""),
        ("goods_received", "inspected", "bj_agent", ""),
        ("inspected", "dispositioned", "bj_agent", "退款"),
        ("dispositioned", "credited", "hq_fin", "红字发票 No.1"),
    ]

    # band 2: the sales manager's sign-off leaves the allowance received; the finance manager's approves it
    a = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="allowance", subject="折让",
                             amount="50000.00", invoice_amount="1000000.00", evidence_document="销货折让证明单",
                             now=at(0))
    services.ticket_approve(actor=w.bj_sales_mgr, ticket_id=a.pk, reason="价格差", now=at(1))
    assert rows(a) == [("", "received", "bj_agent", "")]
    services.ticket_approve(actor=w.hq_fin_mgr, ticket_id=a.pk, reason="财务同意", now=at(2))
    assert rows(a)[1:] == [("received", "approved", "hq_fin_mgr", "财务同意")]
    rejected = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="allowance", subject="折让",
                                    amount="100.00", invoice_amount="100000.00", evidence_document="证明单", now=at(0))
    services.ticket_approve(actor=w.bj_sales_mgr, ticket_id=rejected.pk, approve=False, reason="证据不足", now=at(1))
    assert rows(rejected)[1:] == [("received", "rejected", "bj_sales_mgr", "证据不足")]


def test_a_ticket_opened_by_the_system_has_no_actor(hworld):
    t = services.ticket_open(actor=None, customer_id=hworld.enterprise().pk, kind="dissatisfaction",
                             subject="满意度回访", now=at(0))
    assert rows(t) == [("", "received", None, "")]


def test_a_refused_change_writes_no_row(hworld, hq_super):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s",
                             subject_user_id=w.bj_agent2.pk, now=at(0))
    refused = [
        (InvalidTransition, lambda: services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="closed")),
        (InvalidInput, lambda: services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="approved")),
        (NotFound, lambda: services.ticket_transition(actor=w.sh_agent, ticket_id=t.pk, to="acknowledged")),
        (HandlerIsSubject, lambda: services.ticket_transition(actor=w.bj_agent2, ticket_id=t.pk, to="acknowledged")),
        (PermissionDenied, lambda: services.ticket_approve(actor=w.bj_agent, ticket_id=t.pk)),
        (PermissionDenied, lambda: services.ticket_transition(actor=w.bj_auditor, ticket_id=t.pk, to="acknowledged")),
    ]
    for error, call in refused:
        with pytest.raises(error):
            call()
    for to in ("acknowledged", "investigating"):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to, now=at(1))
    with pytest.raises(InvalidInput):  # an extension needs its reason
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="extended_30", now=at(2))
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="resolution_proposed", now=at(2))
    Ticket.objects.filter(pk=t.pk).update(handler=w.bj_super)
    with pytest.raises(SelfApprovalNotAllowed):  # the handler never approves
        services.ticket_approve(actor=w.bj_super, ticket_id=t.pk)
    assert [r[1] for r in rows(t)] == ["received", "acknowledged", "investigating", "resolution_proposed"]

    # a refused extension leaves the state, so no row either
    c = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="c",
                             now=at(0))
    for to, reason in (("acknowledged", ""), ("investigating", ""), ("extended_30", "复杂")):
        services.ticket_transition(actor=w.bj_agent, ticket_id=c.pk, to=to, reason=reason, now=at(1))
    services.ticket_request_extension(actor=w.bj_agent, ticket_id=c.pk, reason="再延期", now=at(2))
    services.ticket_decide_extension(actor=hq_super, ticket_id=c.pk, approve=False, reason="不必", now=at(3))
    assert Ticket.objects.get(pk=c.pk).state == State.EXTENDED_30 and len(rows(c)) == 4


def test_the_row_rolls_back_with_a_change_that_fails_later_in_its_transaction(hworld, monkeypatch):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="enquiry", subject="?", now=at(0))

    def broken_audit(**kw):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(tickets, "audit_record", broken_audit)  # the module of ticket_transition
    with pytest.raises(RuntimeError):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="acknowledged", reason="r", now=at(1))
    assert Ticket.objects.get(pk=t.pk).state == State.RECEIVED and rows(t) == [("", "received", "bj_agent", "")]


def test_the_api_detail_returns_the_history_as_a_client_sees_it(hworld):
    from tests._fixtures.api import ApiClient

    api, w = ApiClient(hworld), hworld
    tid = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": w.enterprise().pk, "kind": "complaint",
                                                       "subject": "Damaged"}).json()["id"]
    assert api.post("bj_agent", f"/helpdesk/tickets/{tid}/transition", {"to": "acknowledged",
                                                                        "reason": "Called back"}).status_code == 200
    assert api.post("bj_agent", f"/helpdesk/tickets/{tid}/transition", {"to": "closed"}).status_code == 409
    r = api.get("bj_super", f"/helpdesk/tickets/{tid}")
    assert r.status_code == 200, r.content
    history = r.json()["history"]
    assert [{k: h[k] for k in ("from_status", "to_status", "actor", "note")} for h in history] == [
        {"from_status": "", "to_status": "received", "actor": "bj_agent", "note": ""},
        {"from_status": "received", "to_status": "acknowledged", "actor": "bj_agent", "note": "Called back"},
    ]
    assert all(datetime.fromisoformat(h["ts"]).tzinfo is not None for h in history)
    assert set(history[0]) == {"from_status", "to_status", "actor", "note", "ts"}
    # the list stays light; out of scope nothing is shown, the history with it
    assert "history" not in api.get("bj_agent", "/helpdesk/tickets").json()["items"][0]
    assert api.get("sh_agent", f"/helpdesk/tickets/{tid}").status_code == 404


def test_the_ticket_page_shows_the_history_with_the_chinese_state_labels(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s")
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="acknowledged", reason="已回电")
    client = Client()
    client.force_login(w.bj_super)
    with translation.override("zh-hans"):
        page = client.get(f"/helpdesk/{t.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    section = page[page.index('id="status-history"'):page.index('id="knowledge"')]
    assert "状态历史" in section and "操作人" in section
    assert "已受理 → 已确认收悉" in section and "已回电" in section and str(w.bj_agent) in section
    local = timezone.localtime(TicketStatusChange.objects.filter(ticket=t).last().ts, SHANGHAI)
    assert local.strftime("%Y-%m-%d %H:%M") in section


def test_the_backfill_gives_every_older_ticket_one_row_in_batches_and_runs_once(hworld, monkeypatch):
    w = hworld
    tickets = [services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="enquiry", subject=str(i),
                                    now=at(i)) for i in range(5)]
    kept = tickets[0]
    services.ticket_transition(actor=w.bj_agent, ticket_id=kept.pk, to="acknowledged", now=at(9))
    older = tickets[1:]
    TicketStatusChange.objects.filter(ticket__in=older).delete()  # as they were before migration 0013
    Ticket.objects.filter(pk=older[0].pk).update(state="closed")
    monkeypatch.setattr(backfill_migration, "BATCH", 2)  # more tickets than one batch
    editor = SimpleNamespace(connection=connection)

    backfill_migration.backfill(apps, editor)
    for t in older:
        t.refresh_from_db()
        assert [(h.from_status, h.to_status, h.actor_id, h.note, h.ts) for h in selectors.ticket_history(t)] == [
            ("", t.state, None, backfill_migration.BACKFILL_NOTE, t.received_at)]
    assert len(rows(kept)) == 2  # a ticket with its history is left alone
    backfill_migration.backfill(apps, editor)
    assert TicketStatusChange.objects.count() == 2 + len(older)


def test_anonymising_a_complaint_file_clears_the_reasons_and_keeps_the_steps(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s")
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="acknowledged", reason="客户张三，电话13912345678")
    other = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="o")
    services.ticket_transition(actor=w.bj_agent, ticket_id=other.pk, to="acknowledged", reason="留着")
    assert retention._apply(Ticket.objects.filter(pk=t.pk, pi_erased_at__isnull=True), "anonymise",
                            timezone.now()) == 1
    assert rows(t) == [("", "received", "bj_agent", ""), ("received", "acknowledged", "bj_agent", "")]
    assert rows(other)[-1][3] == "留着"
