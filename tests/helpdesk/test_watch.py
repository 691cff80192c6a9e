from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from kehu.core.calendar import SHANGHAI
from kehu.core.models import AuditEvent
from kehu.helpdesk import services
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import SlaBreach, Ticket
from kehu.helpdesk.watch import sla_watch

pytestmark = pytest.mark.django_db
START = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)  # Monday


def at(d, hh, mm=0):
    return datetime(2025, 11, d, hh, mm, tzinfo=SHANGHAI)


def test_watch_warns_breaches_once_per_clock_and_skips_paused(hworld):
    w = hworld
    a = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="a", now=START)
    b = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="b", now=START)
    services.ticket_pause(actor=w.bj_agent, ticket_id=b.pk, reason="waiting", now=START)
    assert a.first_response_due == at(3, 14, 30)  # 4 working hours: 9:00-12:00, 13:30-14:30
    r = sla_watch(now=at(3, 11))  # 2 of the 4 working hours of the first response
    assert (r["warned"], r["breached"]) == ({"0.8": 0, "0.5": 1}, 0)
    assert sla_watch(now=at(3, 11))["warned"]["0.5"] == 0  # warned once per level
    r = sla_watch(now=at(3, 14, 31))
    assert (r["warned"], r["breached"], r["breached_by_clock"]) == ({"0.8": 1, "0.5": 0}, 1, {"first_response": 1})
    services.ticket_transition(actor=w.bj_agent, ticket_id=a.pk, to="acknowledged", now=at(3, 15))
    r = sla_watch(now=a.resolution_due + timedelta(minutes=1))
    assert (r["warned"], r["breached_by_clock"]) == ({"0.8": 1, "0.5": 1}, {"resolution": 1})
    assert sla_watch(now=a.resolution_due + timedelta(days=9))["breached"] == 0
    assert list(SlaBreach.objects.order_by("id").values_list("ticket_id", "clock")) == [
        (a.pk, "first_response"), (a.pk, "resolution")]
    assert not Ticket.objects.get(pk=b.pk).breached and Ticket.objects.get(pk=a.pk).breached
    assert AuditEvent.objects.filter(event_code=E.SLA_BREACHED).count() == 5


def test_first_response_is_watched_on_working_time(hworld):
    """Received on Friday at 16:00 with 4 working hours to answer: due on Monday at 11:00. On Monday at
    8:35 two and a half days of wall time have passed (96 % of it) but only 1.5 of the 4 working hours."""
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="a",
                             now=at(7, 16))
    assert t.first_response_due == at(10, 11)
    assert sla_watch(now=at(10, 8, 35))["warned"] == {"0.8": 0, "0.5": 0}
    assert sla_watch(now=at(10, 9, 0))["warned"] == {"0.8": 0, "0.5": 1}  # 2 of 4 working hours
    assert sla_watch(now=at(10, 10, 5))["warned"] == {"0.8": 0, "0.5": 0}  # 3.1 h
    assert sla_watch(now=at(10, 10, 15))["warned"] == {"0.8": 1, "0.5": 0}  # 3.25 h
    r = sla_watch(now=at(10, 11, 1))
    assert r["breached_by_clock"] == {"first_response": 1}
    assert SlaBreach.objects.get(ticket=t).due_at == at(10, 11)


def test_online_first_reply_is_watched_and_stops_when_answered(hworld):
    """S-13 / 线上服务管理制度 一.2: the first reply of an online conversation within
    ``service.online_first_reply_working_hours`` (2); a reply in time stops that clock."""
    w = hworld
    late = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="online", subject="在线咨询",
                                channel="online", now=START)
    answered = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="online",
                                    subject="在线咨询", channel="online", now=START)
    assert late.first_response_due == at(3, 11)
    services.ticket_transition(actor=w.bj_agent, ticket_id=answered.pk, to="acknowledged", now=at(3, 9, 30))
    assert sla_watch(now=at(3, 10))["warned"] == {"0.8": 0, "0.5": 1}  # only the unanswered one
    r = sla_watch(now=at(3, 11, 1))
    assert r["breached_by_clock"] == {"first_response": 1}
    assert list(SlaBreach.objects.values_list("ticket_id", "clock")) == [(late.pk, "first_response")]


def test_regulatory_deadline_is_watched(hworld):
    """A financial consumer's complaint: the regulatory deadline (S-6, calendar days) is a clock of its own."""
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="r",
                             financial_consumer=True, now=START)
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="acknowledged", now=START)
    sla_watch(now=t.resolution_due + timedelta(minutes=1))
    r = sla_watch(now=t.regulatory_due + timedelta(minutes=1))
    assert r["breached_by_clock"] == {"regulatory": 1}
    assert list(SlaBreach.objects.order_by("id").values_list("clock", flat=True)) == ["resolution", "regulatory"]


def test_an_extension_starts_the_warnings_of_the_moved_limits_afresh(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="x",
                             financial_consumer=True, now=START)
    for to in ("acknowledged", "investigating"):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to, now=START)
    assert sla_watch(now=t.resolution_due + timedelta(minutes=1))["breached_by_clock"] == {"resolution": 1}
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="extended_30", reason="复杂",
                                   now=t.resolution_due + timedelta(hours=1))
    assert not t.breached
    assert sla_watch(now=t.regulatory_due - timedelta(days=1))["breached"] == 0
    r = sla_watch(now=t.regulatory_due + timedelta(minutes=1))
    assert r["breached_by_clock"] == {"regulatory": 1, "resolution": 1}


def test_command_rejects_bad_now(hworld):
    with pytest.raises(CommandError):
        call_command("helpdesk_sla_watch", "--now", "yesterday")
    with pytest.raises(CommandError):
        call_command("helpdesk_sla_watch", "--now", "2025-10-09T10:00")
    call_command("helpdesk_sla_watch", "--now", "2025-10-09T10:00+08:00")
