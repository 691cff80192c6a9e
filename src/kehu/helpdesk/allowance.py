"""Price allowances (货款折让, domain spec S-12): the approval band and who may sign.

The band and the sign-offs it needs are fixed when the allowance is recorded (``allowance_terms``, from the
band parameters in force that day, like a ticket's SLA targets), and kept in ``ticket.data["approval"]``
with every sign-off given: who, in which role, when, approve or reject, and the reason. The allowance is
approved (and reduces receivables) only when every required role has signed; any required approver's
rejection rejects it. The sign-off itself is a service (``services.allowance_sign``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.helpdesk import permissions as P
from kehu.helpdesk import rules
from kehu.helpdesk.models import Kind, State, Ticket

BAND_PARAMS = [("service.allowance_band1_max_amount", "service.allowance_band1_max_percentage"),
               ("service.allowance_band2_max_amount", "service.allowance_band2_max_percentage")]


def allowance_bands(on: date | None = None) -> list[tuple[Decimal, Decimal]]:
    """(max amount, max per cent of the invoice) of each band below the top, from the parameters."""
    return [(Decimal(str(get_param(a, on=on))), Decimal(str(get_param(p, on=on)))) for a, p in BAND_PARAMS]


def allowance_terms(amount: Decimal, invoice_amount: Decimal | None, on: date | None = None) -> dict[str, Any]:
    """The band of an allowance, the roles that must sign it and the limits used (kept on the ticket)."""
    bands = allowance_bands(on)
    band = rules.allowance_band(amount, invoice_amount, bands)
    return {"band": band, "required": list(rules.allowance_sign_offs(band)),
            "limits": [[str(a), str(p)] for a, p in bands], "sign_offs": []}


def allowance_approval(ticket: Ticket) -> dict[str, Any]:
    """The approval record of an allowance; one recorded before the bands existed gets its terms now."""
    approval = ticket.data.get("approval")
    if approval:
        return approval
    invoice = ticket.data.get("invoice_amount")
    return allowance_terms(ticket.amount or Decimal("0"), Decimal(invoice) if invoice else None)


def signer_roles(actor: User, ticket: Ticket) -> set[str]:
    """The sign-off roles ``actor`` holds in an org unit that reaches the ticket."""
    return {g.role for g in access_for(actor).grants_for(P.SIGN_ALLOWANCE)
            if ticket.org_path.startswith(g.org_path) and (not g.own_only or ticket.owner_id == actor.pk)}


def _barred(ticket: Ticket) -> set[int]:
    """Four eyes: the requester and the handler never sign; nor does the staff member concerned (回避)."""
    return {i for i in (ticket.created_by_id, ticket.handler_id, ticket.subject_user_id) if i}


def signable_roles(actor: User, ticket: Ticket) -> list[str]:
    """The roles in which ``actor`` may sign (or reject) the allowance now; empty if none."""
    if ticket.kind != Kind.ALLOWANCE or ticket.state != State.RECEIVED or not ticket.data.get("evidence_document"):
        return []
    approval = allowance_approval(ticket)
    return rules.allowance_signable_roles(required=approval["required"], sign_offs=approval["sign_offs"],
                                          actor_id=actor.pk, actor_roles=signer_roles(actor, ticket),
                                          barred_ids=_barred(ticket))
