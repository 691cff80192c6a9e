"""Extensions of a complaint's limits (S-6): the first by a transition to extended_30, the second asked for by
the handler and decided by a service supervisor of a higher level; each with its notice to the complainant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.core import calendar as cr
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidTransition, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.inputs import text
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import calendar_for
from kehu.helpdesk import permissions as P
from kehu.helpdesk import rules
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import SlaUnit, State, Ticket
from kehu.helpdesk.selectors import is_higher_level_supervisor, ticket_get
from kehu.helpdesk.services._base import guard_handler, record_change, snapshot
from kehu.helpdesk.services.sla import schedule_checkpoints


def extend_limits(ticket: Ticket, to: str) -> None:
    """An extension (S-6) moves the complaint's limits to ``complaint_complex_days`` from receipt (first) or
    another ``complaint_extension_days`` (second, senior approval), never beyond ``complaint_max_days``: the
    regulatory deadline of a financial consumer's complaint and the resolution due time shown on the
    ticket. The extended limit counts calendar days, so the ticket's clock becomes a calendar clock."""
    days = rules.extension_limit_days(to, complex_days=int(get_param("service.complaint_complex_days")),
                                      extension_days=int(get_param("service.complaint_extension_days")),
                                      max_days=int(get_param("service.complaint_max_days")))
    limit = cr.add_calendar_days(ticket.received_at, days, calendar_for(ticket.org_path))
    if ticket.regulatory_due:
        ticket.regulatory_due = rules.extended_due(ticket.regulatory_due, limit)
    ticket.resolution_due = rules.extended_due(ticket.resolution_due, limit)
    ticket.sla_unit = SlaUnit.CALENDAR_DAYS
    ticket.warned_fraction = 0
    ticket.breached = False  # the breach of the shorter limit stays recorded (SlaBreach); the new limit is watched


def extension_notice(now: datetime, to: str, reason: str) -> dict[str, Any]:
    """The notice to the complainant of an extension, dated in the business time zone (Asia/Shanghai)."""
    local = timezone.localtime(now, cr.SHANGHAI)
    return {"at": now.isoformat(), "date": local.date().isoformat(), "to": to, "reason": reason}


@transaction.atomic
def ticket_request_extension(*, actor: User, ticket_id: int, reason: str, now: datetime | None = None) -> Ticket:
    """Ask for the second 30-day extension of a complaint (S-6); a higher-level supervisor decides."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    guard_handler(actor, ticket)
    reason = text(reason, "reason", max_length=500, required=True)
    if not rules.can_transition(ticket.kind, ticket.state, State.EXTENDED_60) or ticket.data.get("extension_request"):
        raise InvalidTransition(code="cannot_request_extension")
    ticket.data = {**ticket.data, "extension_request": {"by": actor.pk, "at": now.isoformat(), "reason": reason,
                                                        "to": State.EXTENDED_60}}
    if ticket.handler_id is None:
        ticket.handler = actor
    ticket.save()
    audit_record(actor=actor, event_code=E.EXTENSION_REQUESTED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, reason=reason)
    return ticket


@transaction.atomic
def ticket_decide_extension(*, actor: User, ticket_id: int, approve: bool = True, reason: str = "",
                            now: datetime | None = None) -> Ticket:
    """Approve (or refuse) a requested extension. Approving extends the regulatory clock by
    ``service.complaint_extension_days`` and records the notice to the complainant (S-6)."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.APPROVE, lock=True)
    guard_handler(actor, ticket)
    request = ticket.data.get("extension_request")
    if not request:
        raise InvalidTransition(code="no_extension_request")
    if actor.pk in (request["by"], ticket.created_by_id, ticket.handler_id):
        raise SelfApprovalNotAllowed()
    if not is_higher_level_supervisor(actor, ticket.org_path):
        raise PermissionDenied(code="approval_level")
    old = snapshot(ticket)
    data = {k: v for k, v in ticket.data.items() if k != "extension_request"}
    if approve:
        if not rules.can_transition(ticket.kind, ticket.state, request["to"]):
            raise InvalidTransition(code="illegal_transition")
        extend_limits(ticket, request["to"])
        data["notices"] = data.get("notices", []) + [
            {**extension_notice(now, request["to"], request["reason"]), "approved_by": actor.pk}]
        ticket.state = request["to"]
    ticket.data = data
    ticket.save()
    if approve:  # a refusal leaves the state as it was: no history row (the audit row records it)
        record_change(ticket, old["state"], actor=actor, note=reason, now=now)
        schedule_checkpoints(ticket, now, reset=("resolution", "regulatory"))
    audit_record(actor=actor, event_code=E.TICKET_EXTENDED if approve else E.EXTENSION_REFUSED,
                 object_type="helpdesk.ticket", object_id=ticket.pk, customer_id=ticket.customer_id, old=old,
                 new=snapshot(ticket), reason=reason)
    return ticket
