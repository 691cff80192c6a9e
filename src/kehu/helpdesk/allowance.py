"""Price allowances (货款折让, domain spec S-12): the approval band, the sign-offs and the decision.

The band and the sign-offs it needs are fixed when the allowance is recorded (``allowance_terms``, from the
band parameters in force that day, like a ticket's SLA targets), and kept in ``ticket.data["approval"]``
with every sign-off given: who, in which role, when, approve or reject, and the reason. The allowance is
approved (and reduces receivables) only when every required role has signed; any required approver's
rejection rejects it."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, InvalidTransition, SelfApprovalNotAllowed
from kehu.core.params import get_param
from kehu.core.selectors import access_for

from . import permissions as P
from . import rules
from .errors import AlreadySigned, EvidenceMissing, HandlerIsSubject, NotSignable
from .events import HelpdeskEvent as E
from .models import Kind, State, Ticket
from .selectors import ticket_get

BAND_PARAMS = [("service.allowance_band1_max_amount", "service.allowance_band1_max_percentage"),
               ("service.allowance_band2_max_amount", "service.allowance_band2_max_percentage")]


def allowance_bands(on=None) -> list[tuple[Decimal, Decimal]]:
    """(max amount, max per cent of the invoice) of each band below the top, from the parameters."""
    return [(Decimal(str(get_param(a, on=on))), Decimal(str(get_param(p, on=on)))) for a, p in BAND_PARAMS]


def allowance_terms(amount: Decimal, invoice_amount: Decimal | None, on=None) -> dict:
    """The band of an allowance, the roles that must sign it and the limits used (kept on the ticket)."""
    bands = allowance_bands(on)
    band = rules.allowance_band(amount, invoice_amount, bands)
    return {"band": band, "required": list(rules.allowance_sign_offs(band)),
            "limits": [[str(a), str(p)] for a, p in bands], "sign_offs": []}


def allowance_approval(ticket: Ticket) -> dict:
    """The approval record of an allowance; one recorded before the bands existed gets its terms now."""
    approval = ticket.data.get("approval")
    if approval:
        return approval
    invoice = ticket.data.get("invoice_amount")
    return allowance_terms(ticket.amount or Decimal("0"), Decimal(invoice) if invoice else None)


def _signer_roles(actor, ticket: Ticket) -> set[str]:
    """The sign-off roles ``actor`` holds in an org unit that reaches the ticket."""
    return {g.role for g in access_for(actor).grants_for(P.SIGN_ALLOWANCE)
            if ticket.org_path.startswith(g.org_path) and (not g.own_only or ticket.owner_id == actor.pk)}


def _barred(ticket: Ticket) -> set[int]:
    """Four eyes: the requester and the handler never sign; nor does the staff member concerned (回避)."""
    return {i for i in (ticket.created_by_id, ticket.handler_id, ticket.subject_user_id) if i}


def signable_roles(actor, ticket: Ticket) -> list[str]:
    """The roles in which ``actor`` may sign (or reject) the allowance now; empty if none."""
    if ticket.kind != Kind.ALLOWANCE or ticket.state != State.RECEIVED or not ticket.data.get("evidence_document"):
        return []
    approval = allowance_approval(ticket)
    return rules.allowance_signable_roles(required=approval["required"], sign_offs=approval["sign_offs"],
                                          actor_id=actor.pk, actor_roles=_signer_roles(actor, ticket),
                                          barred_ids=_barred(ticket))


@transaction.atomic
def allowance_sign(*, actor, ticket_id: int, approve: bool = True, role: str = "", reason: str = "",
                   now=None) -> Ticket:
    """Record one required approver's sign-off (or rejection) of an allowance. ``role`` picks the role to
    sign in when the actor holds more than one outstanding; by default the first in chain order."""
    from .services import _reduce, _snapshot, record_change

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
    held = [r for r in outstanding if r in _signer_roles(actor, ticket)]
    if not held or (role and role not in held):
        raise NotSignable()
    role = role or held[0]
    sign_offs.append({"user": actor.pk, "username": actor.get_username(), "role": role,
                      "decision": "approved" if approve else "rejected", "at": now.isoformat(), "reason": reason})
    old = _snapshot(ticket)
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
                     customer_id=ticket.customer_id, old=old, new=_snapshot(ticket), reason=reason)
    if ticket.state == State.APPROVED:
        _reduce(actor, ticket, "allowance", now)
    return ticket
