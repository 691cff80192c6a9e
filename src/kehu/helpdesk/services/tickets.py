"""A ticket's life: receipt (its SLA clocks start), the moves between states, pausing and resuming the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core import calendar as cr
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, InvalidTransition
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import choice, text
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import calendar_for
from kehu.customers.selectors import customer_get
from kehu.helpdesk import permissions as P
from kehu.helpdesk import rules
from kehu.helpdesk.allowance import allowance_terms
from kehu.helpdesk.errors import ReopenWindowClosed
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import Channel, ComplaintCategory, Disposition, Kind, Priority, State, Ticket
from kehu.helpdesk.selectors import ticket_get
from kehu.helpdesk.services._base import guard_handler, record_change, snapshot
from kehu.helpdesk.services.extensions import extend_limits, extension_notice
from kehu.helpdesk.services.sla import clock_unit, policy_for, schedule_checkpoints, sla_targets


def _category(value: Any) -> str:
    """A ticket's category is empty or one of the active names of the managed list (ComplaintCategory)."""
    name = text(value, "category", max_length=64)
    if name and not ComplaintCategory.objects.filter(name=name, active=True).exists():
        raise InvalidInput(_("Choose a category from the list."), field="category", code="unknown_category")
    return name


@transaction.atomic
def ticket_open(*, actor: User | None, customer_id: int, kind: str, subject: str, description: str = "",
                category: str = "", product: str = "", contract: str = "", channel: str = "phone",
                priority: str = "normal", team: str = "", root_cause: str = "", subject_user_id: int | None = None,
                amount: Any = None, invoice_amount: Any = None, evidence_document: str = "",
                financial_consumer: bool = False, now: datetime | None = None) -> Ticket:
    """Record a ticket (``actor`` None: opened by the system, a low survey score) and start its clocks."""
    kind = choice(kind, "kind", list(Kind.values))
    channel = choice(channel or Channel.PHONE, "channel", list(Channel.values))
    priority = choice(priority or Priority.NORMAL, "priority", list(Priority.values))
    customer = customer_get(user=actor, customer_id=customer_id, perm=P.HANDLE)
    subject = text(subject, "subject", max_length=200, required=True)
    money = parse_amount(amount, "amount", required=kind in (Kind.RETURN, Kind.ALLOWANCE))
    data: dict[str, Any] = {}
    if kind == Kind.ALLOWANCE:
        assert money is not None  # required for an allowance: parse_amount raised if it was missing
        data["evidence_document"] = text(evidence_document, "evidence_document", max_length=200, required=True)
        inv = parse_amount(invoice_amount, "invoice_amount", required=True)
        assert inv is not None  # required: parse_amount raised if it was missing
        if inv <= 0:
            raise InvalidInput(_("The invoice amount must be more than zero."), field="invoice_amount",
                               code="not_positive")
        if money > inv:
            raise InvalidInput(_("An allowance cannot exceed its invoice."), field="amount", code="exceeds_invoice")
        data["invoice_amount"] = str(inv)
        # S-12: the band and its sign-offs are fixed now, from the parameters in force on receipt
        data["approval"] = allowance_terms(money, inv, on=timezone.localdate(now or timezone.now()))
    now = now or timezone.now()
    cal = calendar_for(customer.org_path)
    ticket = Ticket(kind=kind, customer=customer, org_path=customer.org_path, owner_id=customer.manager_id,
                    subject=subject, description=text(description, "description", max_length=5000),
                    category=_category(category), product=text(product, "product", max_length=120),
                    subject_user_id=subject_user_id, created_by=actor, amount=money, data=data,
                    financial_consumer=bool(financial_consumer), received_at=now,
                    contract=text(contract, "contract", max_length=120), channel=channel, priority=priority,
                    team=text(team, "team", max_length=64), root_cause=text(root_cause, "root_cause", max_length=64))
    policy = policy_for(kind=kind, priority=priority, channel=channel, customer=customer)
    targets = sla_targets(policy, kind)
    ticket.sla_policy = policy
    ticket.sla_unit = targets["resolution"][1]
    ticket.data = {**data, "sla": {"policy": targets["policy"], "first_response": list(targets["first_response"]),
                                   "resolution": list(targets["resolution"])}}
    first_amount, first_unit = targets["first_response"]
    ticket.first_response_due = cr.due_at(now, amount=first_amount, unit=first_unit, cal=cal)
    res_amount, res_unit = targets["resolution"]
    ticket.resolution_due = cr.due_at(now, amount=res_amount, unit=res_unit, cal=cal)
    if ticket.financial_consumer and kind == Kind.COMPLAINT:
        ticket.regulatory_due = cr.add_calendar_days(now, get_param("service.complaint_regulatory_days"), cal)
    ticket.save()
    record_change(ticket, "", actor=actor, now=now)  # the first row: history is never empty
    schedule_checkpoints(ticket, now)
    audit_record(actor=actor, event_code=E.TICKET_OPENED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=customer.pk, new={"kind": kind, **snapshot(ticket)})
    return ticket


@transaction.atomic
def ticket_transition(*, actor: User, ticket_id: int, to: str, reason: str = "", disposition: str = "",
                      now: datetime | None = None) -> Ticket:
    """Move a ticket to the state ``to`` its kind's table allows from the present one. Approvals, the credit
    note and the second extension have their own services."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    guard_handler(actor, ticket)
    if to in (State.APPROVED, State.REJECTED, State.AUTHORISED):
        raise InvalidInput(field="to", code="use_approve")
    if to == State.CREDITED:
        raise InvalidInput(field="to", code="use_credit_note")
    if not rules.can_transition(ticket.kind, ticket.state, to):
        raise InvalidTransition(code="illegal_transition")
    if to == State.EXTENDED_60:  # S-6: the second extension needs a higher level's approval
        raise InvalidInput(field="to", code="use_extension_request")
    old = snapshot(ticket)
    if to == State.DISPOSITIONED:
        ticket.disposition = choice(disposition, "disposition", list(Disposition.values))
    if ticket.kind == Kind.ONLINE and to in rules.ONLINE_SETTLING and rules.awaiting_decision(
            ticket.escalated_at is not None, ticket.decided_by_id is not None):
        raise InvalidTransition(code="awaiting_decision")
    if ticket.kind == Kind.RETURN and ticket.state == State.DISPOSITIONED and to == State.CLOSED \
            and rules.return_next_after_disposition(ticket.disposition) != State.CLOSED:
        raise InvalidTransition(code="credit_note_first")
    if to == State.REOPENED:
        assert ticket.closed_at is not None  # reopened only from closed, and closing sets closed_at
        if not rules.can_reopen(ticket.closed_at, now, get_param("service.reopen_days")):
            raise ReopenWindowClosed()
        ticket.closed_at = None
        res_amount, res_unit = (ticket.data.get("sla") or {}).get("resolution") or (
            get_param("service.complaint_resolution_working_days"), "working_days")
        ticket.resolution_due = cr.due_at(now, amount=int(res_amount), unit=res_unit, cal=calendar_for(ticket.org_path))
    if to in (State.EXTENDED_30, State.EXTENDED_60):
        if not reason:
            raise InvalidInput(field="reason", code="required")
        extend_limits(ticket, to)
        ticket.data = {**ticket.data, "notices": ticket.data.get("notices", []) + [extension_notice(now, to, reason)]}
    if to == State.ACKNOWLEDGED and ticket.first_responded_at is None:
        ticket.first_responded_at = now
    if ticket.handler_id is None:
        ticket.handler = actor
    if to == State.CLOSED:
        ticket.closed_at = now
    if to == State.WITHDRAWN:
        ticket.closed_at = now
        ticket.resolution_due = None
    ticket.state = to
    ticket.save()
    record_change(ticket, old["state"], actor=actor, note=reason, now=now)
    if to in (State.REOPENED, State.EXTENDED_30, State.EXTENDED_60):
        schedule_checkpoints(ticket, now, reset=("resolution", "regulatory"))
    codes: dict[str, int] = {State.WITHDRAWN: E.TICKET_WITHDRAWN, State.REOPENED: E.TICKET_REOPENED,
                             State.EXTENDED_30: E.TICKET_EXTENDED, State.EXTENDED_60: E.TICKET_EXTENDED}
    code = codes.get(to, E.TICKET_TRANSITION)
    audit_record(actor=actor, event_code=code, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=snapshot(ticket), reason=reason)
    return ticket


@transaction.atomic
def ticket_pause(*, actor: User, ticket_id: int, reason: str, now: datetime | None = None) -> Ticket:
    """Stop the ticket's clock; the reason is required and kept on the audit row."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    guard_handler(actor, ticket)
    if ticket.paused_at or ticket.state in rules.TERMINAL:
        raise InvalidTransition(code="cannot_pause")
    ticket.paused_at = now
    ticket.save(update_fields=["paused_at"])
    audit_record(actor=actor, event_code=E.TICKET_PAUSED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, reason=text(reason, "reason", max_length=500, required=True))
    return ticket


@transaction.atomic
def ticket_resume(*, actor: User, ticket_id: int, now: datetime | None = None) -> Ticket:
    """Restart the clock: the resolution due time moves by the time the clock stood still."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    paused_at = ticket.paused_at
    if not paused_at:
        raise InvalidTransition(code="not_paused")
    old = snapshot(ticket)
    if ticket.resolution_due:
        ticket.resolution_due = cr.resume_due(due=ticket.resolution_due, paused_at=paused_at, resumed_at=now,
                                              unit=clock_unit(ticket), cal=calendar_for(ticket.org_path))
    ticket.data = {**ticket.data, "pauses": ticket.data.get("pauses", []) + [
        [paused_at.isoformat(), now.isoformat()]]}
    ticket.paused_at = None
    ticket.save()
    schedule_checkpoints(ticket, now)
    audit_record(actor=actor, event_code=E.TICKET_RESUMED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=snapshot(ticket))
    return ticket
