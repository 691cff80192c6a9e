"""Steps the helpdesk services share: the audit snapshot of a ticket, its status-history row, the guard that
keeps the staff member a ticket is about from handling it, and the receivable reduction an approved allowance
or a credit note makes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.models import User
from kehu.helpdesk.errors import HandlerIsSubject
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import ReceivableReduction, Ticket, TicketStatusChange


def snapshot(t: Ticket) -> dict[str, Any]:
    """What the audit row of a ticket's change keeps before and after it."""
    return {"state": t.state, "resolution_due": t.resolution_due, "regulatory_due": t.regulatory_due}


def record_change(ticket: Ticket, from_status: str, *, actor: User | None, note: str = "", now: datetime) -> None:
    """The ticket's status-history row of the change just saved (from ``from_status`` to ``ticket.state``).
    Called by every service that changes the state, inside its transaction and after the checks, so a
    refused change leaves no row and a rolled-back one takes its row with it. ``now`` is the service's
    moment, the one the clocks and ``closed_at`` use."""
    TicketStatusChange.objects.create(ticket=ticket, from_status=from_status, to_status=ticket.state, actor=actor,
                                      note=note or "", ts=now)


def guard_handler(actor: User, ticket: Ticket) -> None:
    """The staff member a complaint is about never handles it (回避)."""
    if ticket.subject_user_id and ticket.subject_user_id == actor.pk:
        raise HandlerIsSubject()


def reduce_receivables(actor: User, ticket: Ticket, source: str, now: datetime) -> ReceivableReduction:
    """The customer's receivables reduced by the ticket's amount, from the day of ``now`` (an approved
    allowance or a return's credit note)."""
    assert ticket.amount is not None  # returns and allowances are recorded with their amount (ticket_open)
    red = ReceivableReduction.objects.create(
        customer_id=ticket.customer_id, reduction_amount=ticket.amount, currency=ticket.currency,
        effective_date=timezone.localdate(now), ticket=ticket, source=source)
    audit_record(actor=actor, event_code=E.RECEIVABLE_REDUCED, object_type="helpdesk.reduction",
                 object_id=red.pk, customer_id=ticket.customer_id,
                 new={"amount": str(red.reduction_amount), "source": red.source})
    return red
