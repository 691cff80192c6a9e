"""Price allowances (货款折让, domain spec S-12): one required approver's sign-off or rejection. The band and
the roles it needs were fixed when the allowance was recorded (``kehu.helpdesk.allowance``); the allowance is
approved, and reduces receivables, when the last required role has signed."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, InvalidTransition, SelfApprovalNotAllowed
from kehu.core.models import User
from kehu.helpdesk import permissions as P
from kehu.helpdesk import rules
from kehu.helpdesk.allowance import allowance_approval, signer_roles
from kehu.helpdesk.errors import AlreadySigned, EvidenceMissing, HandlerIsSubject, NotSignable
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import Kind, State, Ticket
from kehu.helpdesk.selectors import ticket_get
from kehu.helpdesk.services._base import record_change, reduce_receivables, snapshot


@transaction.atomic
def allowance_sign(*, actor: User, ticket_id: int, approve: bool = True, role: str = "", reason: str = "",
                   now: datetime | None = None) -> Ticket:
    """Record one required approver's sign-off (or rejection) of an allowance. ``role`` picks the role to
    sign in when the actor holds more than one outstanding; by default the first in chain order."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.SIGN_ALLOWANCE, lock=True)
    if ticket.kind != Kind.ALLOWANCE:
        raise InvalidTransition(code="not_an_allowance")
    if ticket.subject_user_id == actor.pk:
        raise HandlerIsSubject()
    if actor.pk in (ticket.created_by_id, ticket.handler_id):
        raise SelfApprovalNotAllowed()
    if not rules.can_transition(ticket.kind, ticket.state, State.APPROVED):
        raise InvalidTransition(code="illegal_transition")
    if not ticket.data.get("evidence_document"):
        raise EvidenceMissing()
    approval = allowance_approval(ticket)
    sign_offs = list(approval["sign_offs"])
    if any(s["user"] == actor.pk for s in sign_offs):
        raise AlreadySigned()
    outstanding = rules.allowance_outstanding(approval["required"], [s["role"] for s in sign_offs])
    if role and role not in outstanding:
        raise InvalidInput(_("This allowance is not waiting for a sign-off in that role."), field="role",
                           code="not_outstanding")
    held = [r for r in outstanding if r in signer_roles(actor, ticket)]
    if not held or (role and role not in held):
        raise NotSignable()
    role = role or held[0]
    sign_offs.append({"user": actor.pk, "username": actor.get_username(), "role": role,
                      "decision": "approved" if approve else "rejected", "at": now.isoformat(), "reason": reason})
    old = snapshot(ticket)
    ticket.data = {**ticket.data, "approval": {**approval, "sign_offs": sign_offs}}
    if not approve:
        ticket.state = State.REJECTED
    elif len(outstanding) == 1:  # this was the last required sign-off
        ticket.state = State.APPROVED
        ticket.approved_by = actor
    ticket.save()
    audit_record(actor=actor, event_code=E.ALLOWANCE_SIGNED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, reason=reason,
                 new={"band": approval["band"], "role": role, "decision": sign_offs[-1]["decision"],
                      "outstanding": [r for r in outstanding if r != role] if approve else []})
    if ticket.state != old["state"]:  # a sign-off that is not the last leaves the state: no history row
        record_change(ticket, old["state"], actor=actor, note=reason, now=now)
        audit_record(actor=actor, event_code=E.TICKET_APPROVED, object_type="helpdesk.ticket", object_id=ticket.pk,
                     customer_id=ticket.customer_id, old=old, new=snapshot(ticket), reason=reason)
    if ticket.state == State.APPROVED:
        reduce_receivables(actor, ticket, "allowance", now)
    return ticket
