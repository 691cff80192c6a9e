"""Returns (S-11): the approval level an amount needs, and the credit note (红字发票) of a refunded return."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidTransition, SelfApprovalNotAllowed
from kehu.core.models import User
from kehu.core.selectors import access_for
from kehu.helpdesk import permissions as P
from kehu.helpdesk import rules
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import Kind, State, Ticket
from kehu.helpdesk.selectors import ticket_get
from kehu.helpdesk.services._base import guard_handler, record_change, reduce_receivables, snapshot


def holds_level(actor: User, level: str, org_path: str) -> bool:
    """Whether ``actor`` holds, over ``org_path``, a role that authorises a return at ``level`` (S-11; the
    general manager is the role general_manager)."""
    roles = {g.role for g in access_for(actor).grants if org_path.startswith(g.org_path)}
    return rules.holds_return_level(level, roles)


@transaction.atomic
def return_credit_note(*, actor: User, ticket_id: int, reason: str = "", now: datetime | None = None) -> Ticket:
    """Issue the credit note (红字发票) of a refunded return: finance or a supervisor, never the ticket's
    maker or handler; the credit note reduces the customer's receivables."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.APPROVE, lock=True)
    guard_handler(actor, ticket)
    if actor.pk in (ticket.created_by_id, ticket.handler_id):
        raise SelfApprovalNotAllowed()
    if ticket.kind != Kind.RETURN or not rules.can_transition(ticket.kind, ticket.state, State.CREDITED) \
            or rules.return_next_after_disposition(ticket.disposition) != State.CREDITED:
        raise InvalidTransition(code="illegal_transition")
    old = snapshot(ticket)
    ticket.state = State.CREDITED
    ticket.save()
    record_change(ticket, old["state"], actor=actor, note=reason, now=now)
    audit_record(actor=actor, event_code=E.TICKET_TRANSITION, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=snapshot(ticket), reason=reason)
    reduce_receivables(actor, ticket, "credit_note", now)
    return ticket
