from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from kehu.core.models import AuditEvent
from kehu.helpdesk import services
from kehu.helpdesk.calendar_rules import SHANGHAI
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import SlaBreach, Ticket
from kehu.helpdesk.watch import sla_watch

pytestmark = pytest.mark.django_db
START = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)  # Monday


def test_watch_warns_breaches_once_and_skips_paused(hworld):
    w = hworld
    a = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="a", now=START)
    b = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="b", now=START)
    services.ticket_pause(actor=w.bj_agent, ticket_id=b.pk, reason="waiting", now=START)
    total = a.resolution_due - START
    r = sla_watch(now=START + total * 0.6)
    assert r == {"warned": {"0.8": 0, "0.5": 1}, "breached": 0}
    r = sla_watch(now=START + total * 0.6)
    assert r["warned"]["0.5"] == 0  # warned once per level
    r = sla_watch(now=START + total * 0.85)
    assert r["warned"]["0.8"] == 1
    r = sla_watch(now=a.resolution_due + timedelta(minutes=1))
    assert r["breached"] == 1
    assert sla_watch(now=a.resolution_due + timedelta(days=9))["breached"] == 0
    assert list(SlaBreach.objects.values_list("ticket_id", "handler_id")) == [(a.pk, None)]
    assert not Ticket.objects.get(pk=b.pk).breached
    assert AuditEvent.objects.filter(event_code=E.SLA_BREACHED).count() == 5


def test_command_rejects_bad_now(hworld):
    with pytest.raises(CommandError):
        call_command("helpdesk_sla_watch", "--now", "yesterday")
    with pytest.raises(CommandError):
        call_command("helpdesk_sla_watch", "--now", "2025-10-09T10:00")
    call_command("helpdesk_sla_watch", "--now", "2025-10-09T10:00+08:00")
