"""Approvals: a complaint's proposed resolution, a return (at the level its amount needs, S-11) and an
allowance (one sign-off per required role, S-12, in ``allowances``). The maker never approves; nor does the
staff member the ticket is about."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidTransition, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.helpdesk import permissions as P
from kehu.helpdesk import rules
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import Kind, State, Ticket
from kehu.helpdesk.selectors import ticket_get
from kehu.helpdesk.services._base import guard_handler, record_change, snapshot
from kehu.helpdesk.services.allowances import allowance_sign
from kehu.helpdesk.services.returns import holds_level


@transaction.atomic
def ticket_approve(*, actor: User, ticket_id: int, approve: bool = True, reason: str = "", role: str = "",
                   now: datetime | None = None) -> Ticket:
    """Approve a complaint resolution, a return or an allowance. The maker never approves; the complaint's
    subject never approves. An allowance takes one sign-off per required role (``allowance_sign``)
    and becomes a receivable reduction when the last is in."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=(P.APPROVE, P.SIGN_ALLOWANCE, P.APPROVE_RETURN),
                        lock=True)
    if ticket.kind == Kind.ALLOWANCE:
        return allowance_sign(actor=actor, ticket_id=ticket_id, approve=approve, role=role, reason=reason, now=now)
    perm = P.APPROVE_RETURN if ticket.kind == Kind.RETURN else P.APPROVE
    if not access_for(actor).reaches(perm, org_path=ticket.org_path, owner_id=ticket.owner_id):
        raise PermissionDenied()  # allowance signers approve nothing else; the general manager only returns
    guard_handler(actor, ticket)
    if actor.pk in (ticket.created_by_id, ticket.handler_id):
        raise SelfApprovalNotAllowed()
    target = State.APPROVED if approve else (State.REJECTED if ticket.kind in (Kind.RETURN, Kind.ALLOWANCE)
                                             else State.INVESTIGATING)
    if approve and ticket.kind == Kind.RETURN:
        target = State.AUTHORISED
    if not rules.can_transition(ticket.kind, ticket.state, target):
        raise InvalidTransition(code="illegal_transition")
    if approve and ticket.kind == Kind.RETURN and ticket.state == State.RECEIVED:
        assert ticket.amount is not None  # a return is recorded with its amount (ticket_open)
        needed = rules.return_approver_level(ticket.amount, Decimal(get_param("service.return_supervisor_limit")),
                                             Decimal(get_param("service.return_gm_threshold")))
        if not holds_level(actor, needed, ticket.org_path):
            raise PermissionDenied(code="approval_level")
        ticket.data = {**ticket.data, "approval_level": needed}
    old = snapshot(ticket)
    ticket.state = target
    ticket.approved_by = actor if approve else None
    ticket.save()
    record_change(ticket, old["state"], actor=actor, note=reason, now=now)
    audit_record(actor=actor, event_code=E.TICKET_APPROVED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=snapshot(ticket), reason=reason)
    return ticket
