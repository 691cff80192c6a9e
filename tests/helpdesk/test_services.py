from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from kehu.core.calendar import SHANGHAI
from kehu.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.models import AuditEvent, CalendarOverride
from kehu.helpdesk import services
from kehu.helpdesk.errors import HandlerIsSubject, ReopenWindowClosed
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import ReceivableReduction, State
from kehu.helpdesk.selectors import receivable_reductions, ticket_list

pytestmark = pytest.mark.django_db(transaction=False)
NOW = datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI)


def audited(code, ticket_id):
    return AuditEvent.objects.filter(event_code=code, object_id=str(ticket_id)).count()


def complaint(w, **kw):
    customer = w.enterprise()
    return services.ticket_open(actor=w.bj_agent, customer_id=customer.pk, kind="complaint", subject="Late delivery",
                                now=NOW, **kw)


def test_open_computes_due_times_on_the_business_calendar(hworld):
    t = complaint(hworld, financial_consumer=True)
    # 4 working hours from Tue Sep 30 16:00: 1.5 h that day, then National Day until Oct 9
    assert t.first_response_due == datetime(2025, 10, 9, 11, 0, tzinfo=SHANGHAI)
    assert t.resolution_due == datetime(2025, 10, 14, 17, 30, tzinfo=SHANGHAI)  # Oct 9, 10, 11 (make-up), 13, 14
    assert t.regulatory_due == datetime(2025, 10, 15, 23, 59, 59, tzinfo=SHANGHAI)
    assert audited(E.TICKET_OPENED, t.pk) == 1


def test_org_override_moves_due_time(hworld):
    CalendarOverride.objects.create(org_path="", day=date(2025, 10, 9), working=False)
    t = complaint(hworld)
    assert t.first_response_due == datetime(2025, 10, 10, 11, 0, tzinfo=SHANGHAI)


def test_complaint_happy_path_extension_close_and_reopen(hworld):
    w = hworld
    t = complaint(w, financial_consumer=True)
    reg = t.regulatory_due
    for to in ["acknowledged", "investigating"]:
        t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to, now=NOW)
    with pytest.raises(InvalidInput):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="extended_30", now=NOW)
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="extended_30", reason="Lab test", now=NOW)
    # S-6: a complex complaint is decided within 30 days of receipt in all (not 15 + 30)
    assert reg == datetime(2025, 10, 15, 23, 59, 59, tzinfo=SHANGHAI)
    assert t.regulatory_due == datetime(2025, 10, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert t.resolution_due == t.regulatory_due and t.sla_unit == "calendar_days"
    assert audited(E.TICKET_EXTENDED, t.pk) == 1
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="resolution_proposed", now=NOW)
    with pytest.raises(PermissionDenied):
        services.ticket_approve(actor=w.bj_agent, ticket_id=t.pk)  # an agent has no approval permission
    t = services.ticket_approve(actor=w.bj_super, ticket_id=t.pk)
    assert t.state == State.APPROVED and audited(E.TICKET_APPROVED, t.pk) == 1
    for to in ["communicated", "closed"]:
        t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to, now=NOW)
    with pytest.raises(ReopenWindowClosed):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="reopened", now=NOW + timedelta(days=31))
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="reopened", now=NOW + timedelta(days=3))
    assert t.state == State.REOPENED and audited(E.TICKET_REOPENED, t.pk) == 1


@pytest.mark.parametrize("state, target", [
    ("received", "investigating"), ("received", "closed"), ("acknowledged", "communicated"),
    ("investigating", "extended_60"), ("investigating", "closed"), ("received", "reopened"),
])
def test_illegal_complaint_transitions(hworld, state, target):
    t = complaint(hworld)
    type(t).objects.filter(pk=t.pk).update(state=state)
    with pytest.raises(InvalidTransition):
        services.ticket_transition(actor=hworld.bj_agent, ticket_id=t.pk, to=target, reason="x", now=NOW)
    t.refresh_from_db()
    assert t.state == state


def test_withdrawal_ends_everything(hworld):
    t = complaint(hworld)
    t = services.ticket_transition(actor=hworld.bj_agent, ticket_id=t.pk, to="withdrawn", now=NOW)
    assert t.state == State.WITHDRAWN and t.resolution_due is None and audited(E.TICKET_WITHDRAWN, t.pk) == 1
    with pytest.raises(InvalidTransition):
        services.ticket_transition(actor=hworld.bj_agent, ticket_id=t.pk, to="withdrawn", now=NOW)
    with pytest.raises(InvalidTransition):
        services.ticket_transition(actor=hworld.bj_agent, ticket_id=t.pk, to="acknowledged", now=NOW)


def test_subject_of_complaint_cannot_handle_or_approve_it(hworld):
    t = complaint(hworld, subject_user_id=hworld.bj_agent2.pk)
    with pytest.raises(HandlerIsSubject):
        services.ticket_transition(actor=hworld.bj_agent2, ticket_id=t.pk, to="acknowledged", now=NOW)
    t2 = complaint(hworld, subject_user_id=hworld.bj_super.pk)
    type(t2).objects.filter(pk=t2.pk).update(state="resolution_proposed")
    with pytest.raises(HandlerIsSubject):
        services.ticket_approve(actor=hworld.bj_super, ticket_id=t2.pk)


def test_pause_stops_the_clock(hworld):
    t = complaint(hworld)
    due = t.resolution_due
    paused = datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)
    services.ticket_pause(actor=hworld.bj_agent, ticket_id=t.pk, reason="Waiting for customer samples", now=paused)
    with pytest.raises(InvalidTransition):
        services.ticket_pause(actor=hworld.bj_agent, ticket_id=t.pk, reason="again", now=paused)
    t = services.ticket_resume(actor=hworld.bj_agent, ticket_id=t.pk, now=paused + timedelta(days=1))
    assert t.resolution_due == due + timedelta(days=1)  # Oct 10 10:00 resume: a whole working day later
    assert audited(E.TICKET_PAUSED, t.pk) == 1 and audited(E.TICKET_RESUMED, t.pk) == 1


def allowance(w, amount, invoice="1000000.00"):
    customer = w.enterprise()
    return services.ticket_open(actor=w.bj_agent, customer_id=customer.pk, kind="allowance", subject="Price drop",
                                amount=amount, invoice_amount=invoice, evidence_document="Buyer letter 2025-17",
                                now=NOW)


def test_allowance_needs_evidence_and_reduces_receivables(hworld):
    w = hworld
    with pytest.raises(InvalidInput):
        services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="allowance", subject="x",
                             amount="10.00", invoice_amount="100.00")
    t = allowance(w, "20000.00")  # 2 per cent and over ¥10,000: band 2 (S-12)
    assert receivable_reductions(t.customer_id, until=date(2030, 1, 1)) == Decimal("0.00")
    with pytest.raises(SelfApprovalNotAllowed):
        services.ticket_approve(actor=w.bj_super, ticket_id=services.ticket_open(
            actor=w.bj_super, customer_id=t.customer_id, kind="return", subject="r", amount="1.00").pk)
    services.ticket_approve(actor=w.bj_sales_mgr, ticket_id=t.pk, now=NOW)
    assert receivable_reductions(t.customer_id, until=date(2030, 1, 1)) == Decimal("0.00")  # finance still to sign
    services.ticket_approve(actor=w.hq_fin_mgr, ticket_id=t.pk, now=NOW)
    assert receivable_reductions(t.customer_id, until=date(2025, 9, 30)) == Decimal("20000.00")
    assert receivable_reductions(t.customer_id, until=date(2025, 9, 29)) == Decimal("0.00")
    red = ReceivableReduction.objects.get(ticket=t)
    assert red.source == "allowance" and red.currency == "CNY"
    assert AuditEvent.objects.filter(event_code=E.RECEIVABLE_REDUCED, object_id=str(red.pk)).count() == 1
    with pytest.raises(InvalidTransition):
        services.ticket_approve(actor=w.hq_gm, ticket_id=t.pk, now=NOW)


@pytest.mark.parametrize("amount, invoice", [("60000.00", "10000000.00"), ("2000.00", "100000.00")])
def test_larger_allowance_needs_finance_too(hworld, amount, invoice):
    t = allowance(hworld, amount, invoice)
    for user in (hworld.bj_super, hworld.hq_fin):  # the service supervisor and finance officer no longer sign
        with pytest.raises(PermissionDenied):
            services.ticket_approve(actor=user, ticket_id=t.pk, now=NOW)
    services.ticket_approve(actor=hworld.bj_sales_mgr, ticket_id=t.pk, now=NOW)
    assert receivable_reductions(t.customer_id, until=date(2030, 1, 1)) == Decimal("0.00")
    services.ticket_approve(actor=hworld.hq_fin_mgr, ticket_id=t.pk, now=NOW)
    assert receivable_reductions(t.customer_id, until=date(2030, 1, 1)) == Decimal(amount)


def test_rejected_allowance_does_not_reduce(hworld):
    t = allowance(hworld, "100.00")
    t = services.ticket_approve(actor=hworld.bj_sales_mgr, ticket_id=t.pk, approve=False, now=NOW)
    assert t.state == State.REJECTED
    assert receivable_reductions(t.customer_id, until=date(2030, 1, 1)) == Decimal("0.00")


def test_scope_and_permissions(hworld):
    t = complaint(hworld)
    with pytest.raises(NotFound):
        services.ticket_transition(actor=hworld.sh_agent, ticket_id=t.pk, to="acknowledged", now=NOW)
    with pytest.raises(PermissionDenied):
        services.ticket_transition(actor=hworld.bj_auditor, ticket_id=t.pk, to="acknowledged", now=NOW)
    with pytest.raises(PermissionDenied):
        ticket_list(user=hworld.admin)
    assert [x.pk for x in ticket_list(user=hworld.bj_auditor)] == [t.pk]
    assert list(ticket_list(user=hworld.sh_agent)) == []
