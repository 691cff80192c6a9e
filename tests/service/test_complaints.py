from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.service.events import ServiceEvent
from kehu.service.ticket_services import (
    complaint_receive,
    complaint_transition,
    ticket_pause,
    ticket_resume,
)

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
T0 = datetime(2025, 9, 20, 16, tzinfo=SH)


def receive(w, **kw):
    customer = kw.pop("customer", None) or w.admit(w.enterprise())
    args = {"channel": "PHONE", "subject": "Late delivery", "now": T0} | kw
    return complaint_receive(actor=w.bj_agent, customer_id=customer.pk, **args)


def test_full_flow_with_regulatory_extensions(sworld):
    w = sworld
    t = receive(w, regulated=True)
    assert t.regulatory_due_at == datetime(2025, 10, 6, tzinfo=SH)
    assert t.due_at == datetime(2025, 10, 4, tzinfo=SH)  # internal clock: 13 calendar days
    for target in ("ACKNOWLEDGED", "INVESTIGATING"):
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target=target)
    with pytest.raises(InvalidInput):
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="EXTENDED_30")
    t = complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="EXTENDED_30", reason="complex")
    assert t.regulatory_due_at == datetime(2025, 10, 21, tzinfo=SH)
    with pytest.raises(PermissionDenied):  # an agent may not approve the second extension
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="EXTENDED_60", reason="very complex")
    t = complaint_transition(actor=w.bj_svc_sup, ticket_id=t.pk, target="EXTENDED_60", reason="very complex")
    assert t.regulatory_due_at == datetime(2025, 11, 20, tzinfo=SH)
    for target in ("RESOLUTION_PROPOSED", "APPROVED", "COMMUNICATED"):
        complaint_transition(actor=w.bj_svc_sup, ticket_id=t.pk, target=target)
    closed = T0 + timedelta(days=40)
    t = complaint_transition(actor=w.bj_svc_sup, ticket_id=t.pk, target="CLOSED", now=closed)
    with pytest.raises(Conflict):
        complaint_transition(
            actor=w.bj_svc_sup, ticket_id=t.pk, target="REOPENED", now=closed + timedelta(days=31)
        )
    t = complaint_transition(
        actor=w.bj_svc_sup, ticket_id=t.pk, target="REOPENED", now=closed + timedelta(days=29)
    )
    assert t.status == "REOPENED"
    rows = AuditEvent.objects.filter(event_code=ServiceEvent.COMPLAINT_TRANSITION, object_id=str(t.pk))
    assert rows.count() == 9
    assert (
        AuditEvent.objects.filter(event_code=ServiceEvent.COMPLAINT_RECEIVED, object_id=str(t.pk)).count()
        == 1
    )


def test_illegal_transitions_and_unregulated_extension(sworld):
    w = sworld
    t = receive(w)
    with pytest.raises(InvalidTransition):
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="CLOSED")
    for target in ("ACKNOWLEDGED", "INVESTIGATING"):
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target=target)
    with pytest.raises(Conflict):
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="EXTENDED_30", reason="x")
    t = complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="WITHDRAWN", now=T0 + timedelta(days=2))
    assert t.ended_on == (T0 + timedelta(days=2)).date() and t.due_at is None
    with pytest.raises(InvalidTransition):
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="INVESTIGATING")


def test_recusal_scope_and_bad_input(sworld):
    w = sworld
    t = receive(w, subject_employee_id=w.bj_agent.pk)
    with pytest.raises(PermissionDenied):
        complaint_transition(actor=w.bj_agent, ticket_id=t.pk, target="ACKNOWLEDGED")
    complaint_transition(actor=w.bj_svc_sup, ticket_id=t.pk, target="ACKNOWLEDGED")
    with pytest.raises(NotFound):  # outside scope
        complaint_transition(actor=w.sh_cm, ticket_id=t.pk, target="INVESTIGATING")
    with pytest.raises(PermissionDenied):  # in scope, but may only view
        complaint_transition(actor=w.bj_cm, ticket_id=t.pk, target="INVESTIGATING")
    with pytest.raises(PermissionDenied):
        complaint_receive(actor=w.hq_auditor, customer_id=t.customer_id, channel="PHONE", subject="x")
    with pytest.raises(InvalidInput):
        receive(w, channel="PIGEON")
    with pytest.raises(InvalidInput):
        receive(w, subject="  ")
    with pytest.raises(NotFound):
        complaint_transition(actor=w.bj_agent, ticket_id=999999, target="ACKNOWLEDGED")


def test_pause_really_stops_the_clock(sworld):
    w = sworld
    start = datetime(2025, 9, 30, 10, tzinfo=SH)
    t = receive(w, sla_amount=8, sla_unit="working_hours", now=start)
    assert t.due_at == datetime(2025, 10, 9, 10, 30, tzinfo=SH)
    t = ticket_pause(actor=w.bj_agent, ticket_id=t.pk, now=datetime(2025, 9, 30, 15, tzinfo=SH))
    assert t.due_at is None and t.paused_remaining_seconds == int(4.5 * 3600)
    with pytest.raises(Conflict):
        ticket_pause(actor=w.bj_agent, ticket_id=t.pk, now=datetime(2025, 9, 30, 16, tzinfo=SH))
    t = ticket_resume(actor=w.bj_agent, ticket_id=t.pk, now=datetime(2025, 10, 10, 15, tzinfo=SH))
    assert t.due_at == datetime(2025, 10, 11, 10, 30, tzinfo=SH)
    with pytest.raises(Conflict):
        ticket_resume(actor=w.bj_agent, ticket_id=t.pk)
    assert (
        AuditEvent.objects.filter(
            event_code__in=[ServiceEvent.TICKET_PAUSED, ServiceEvent.TICKET_RESUMED], object_id=str(t.pk)
        ).count()
        == 2
    )
