from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from kehu.service.models import Ticket
from kehu.service.ticket_services import complaint_receive, ticket_pause

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_watch_marks_only_running_overdue_clocks(sworld):
    w = sworld
    customer = w.admit(w.enterprise())
    old = timezone.now() - timedelta(days=60)
    overdue = complaint_receive(
        actor=w.bj_agent, customer_id=customer.pk, channel="PHONE", subject="a", now=old
    )
    paused = complaint_receive(
        actor=w.bj_agent, customer_id=customer.pk, channel="PHONE", subject="b", now=old
    )
    ticket_pause(actor=w.bj_agent, ticket_id=paused.pk, now=old + timedelta(hours=1))
    fresh = complaint_receive(actor=w.bj_agent, customer_id=customer.pk, channel="PHONE", subject="c")
    out = StringIO()
    call_command("service_sla_watch", stdout=out)
    assert "breached: 1" in out.getvalue()
    assert Ticket.objects.get(pk=overdue.pk).breached_at is not None
    assert Ticket.objects.get(pk=paused.pk).breached_at is None
    assert Ticket.objects.get(pk=fresh.pk).breached_at is None
    out = StringIO()
    call_command("service_sla_watch", stdout=out)  # a breach is recorded once
    assert "breached: 0" in out.getvalue()
    assert datetime(2025, 1, 1, tzinfo=SH) < Ticket.objects.get(pk=overdue.pk).breached_at
