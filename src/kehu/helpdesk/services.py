"""Writes of the helpdesk: one transaction each, the ticket row locked, an audit row beside."""

from __future__ import annotations

from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core import calendar as cr
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, InvalidTransition, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.inputs import amount as parse_amount
from kehu.core.inputs import choice, text
from kehu.core.params import get_param
from kehu.core.selectors import access_for, calendar_for
from kehu.customers.selectors import customer_get

from . import permissions as P
from . import rules
from .allowance import allowance_sign, allowance_terms
from .errors import HandlerIsSubject, ReopenWindowClosed
from .events import HelpdeskEvent as E
from .models import (
    Channel,
    Disposition,
    Kind,
    Priority,
    ReceivableReduction,
    SlaPolicy,
    SlaUnit,
    State,
    Ticket,
    TicketStatusChange,
)
from .selectors import ticket_get


def _category(value) -> str:
    """A ticket's category is empty or one of the active names of the managed list (ComplaintCategory)."""
    from .models import ComplaintCategory

    name = text(value, "category", max_length=64)
    if name and not ComplaintCategory.objects.filter(name=name, active=True).exists():
        raise InvalidInput(_("Choose a category from the list."), field="category", code="unknown_category")
    return name


# Parameters that fill a policy's empty target (seeded default policies leave both empty).
_FALLBACK_FIRST = {Kind.ONLINE: "service.online_first_reply_working_hours",
                   Kind.DISSATISFACTION: "service.dissatisfaction_first_response_working_hours"}
_FALLBACK_RESOLUTION = {Kind.ONLINE: "service.online_full_answer_working_days",
                        Kind.DISSATISFACTION: "service.dissatisfaction_resolution_working_days"}


def sla_targets(policy: SlaPolicy | None, kind: str) -> dict:
    """First-response and resolution targets (amount, unit) of a ticket of ``kind`` under ``policy``."""
    first_unit = policy.first_response_unit if policy else SlaUnit.WORKING_HOURS
    res_unit = policy.resolution_unit if policy else SlaUnit.WORKING_DAYS
    first = policy.first_response_amount if policy and policy.first_response_amount is not None else \
        get_param(_FALLBACK_FIRST.get(kind, "service.first_response_working_hours"))
    res = policy.resolution_amount if policy and policy.resolution_amount is not None else \
        get_param(_FALLBACK_RESOLUTION.get(kind, "service.complaint_resolution_working_days"))
    return {"first_response": (int(first), str(first_unit)), "resolution": (int(res), str(res_unit)),
            "policy": policy.name if policy else ""}


def policy_for(*, kind: str, priority: str, channel: str, customer) -> SlaPolicy | None:
    candidates = SlaPolicy.objects.filter(active=True).filter(
        models.Q(customer__isnull=True) | models.Q(customer_id=customer.pk))
    return rules.select_policy(list(candidates), kind=kind, priority=priority, customer_grade=customer.grade or "",
                               channel=channel, customer_id=customer.pk)


def clock_unit(ticket: Ticket) -> str:
    """Unit for pausing and the live countdown: calendar clocks run on wall time, the others on
    working time (a working-day target ends at the close of a working day)."""
    return "calendar_days" if ticket.sla_unit == SlaUnit.CALENDAR_DAYS else "working_hours"


CLOCKS = ("first_response", "resolution", "regulatory")


def clock_units(ticket: Ticket) -> dict[str, str]:
    """The unit each clock counts in: the first response in its target's unit (working hours by default),
    the resolution in the ticket's clock unit, the regulatory deadline in calendar days (S-6)."""
    first = (ticket.data.get("sla") or {}).get("first_response") or [0, SlaUnit.WORKING_HOURS]
    return {"first_response": "calendar_days" if first[1] == SlaUnit.CALENDAR_DAYS else "working_hours",
            "resolution": clock_unit(ticket), "regulatory": "calendar_days"}


def schedule_checkpoints(ticket: Ticket, now, *, reset: tuple[str, ...] = ()) -> None:
    """(Re)compute when each running clock of ``ticket`` reaches the warning fractions
    (``service.sla_warn_fractions``) and its due time, on the ticket's business calendar. Checkpoints the
    watcher has already passed stay (a warning is given once) unless their clock is in ``reset`` (its due
    time moved: an extension or a reopening starts its warnings afresh)."""
    from datetime import datetime

    from .models import SlaCheckpoint

    pending = SlaCheckpoint.objects.filter(ticket=ticket)
    pending.filter(models.Q(done_at__isnull=True) | models.Q(clock__in=reset)).delete()
    done = set(pending.values_list("clock", "fraction"))
    dues = {"first_response": None if ticket.first_responded_at else ticket.first_response_due,
            "resolution": ticket.resolution_due, "regulatory": ticket.regulatory_due}
    if ticket.state in rules.TERMINAL or ticket.paused_at:
        return  # a paused clock gets its checkpoints again on resuming
    cal = calendar_for(ticket.org_path)
    pauses = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in ticket.data.get("pauses", [])]
    fractions = get_param("service.sla_warn_fractions")
    units = clock_units(ticket)
    rows = []
    for clock in CLOCKS:
        if dues[clock] is None:
            continue
        for fraction, at in cr.checkpoint_times(start=ticket.received_at, due=dues[clock], now=now, pauses=pauses,
                                                unit=units[clock], fractions=fractions, cal=cal):
            if (clock, fraction) not in done:
                rows.append(SlaCheckpoint(ticket=ticket, clock=clock, fraction=fraction, at=at))
    SlaCheckpoint.objects.bulk_create(rows)


def _snapshot(t: Ticket) -> dict:
    return {"state": t.state, "resolution_due": t.resolution_due, "regulatory_due": t.regulatory_due}


def record_change(ticket: Ticket, from_status: str, *, actor, note: str = "", now) -> None:
    """The ticket's status-history row of the change just saved (from ``from_status`` to ``ticket.state``).
    Called by every service that changes the state, inside its transaction and after the checks, so a
    refused change leaves no row and a rolled-back one takes its row with it. ``now`` is the service's
    moment, the one the clocks and ``closed_at`` use."""
    TicketStatusChange.objects.create(ticket=ticket, from_status=from_status, to_status=ticket.state, actor=actor,
                                      note=note or "", ts=now)


@transaction.atomic
def ticket_open(*, actor, customer_id: int, kind: str, subject: str, description: str = "", category: str = "",
                product: str = "", contract: str = "", channel: str = "phone", priority: str = "normal",
                team: str = "", root_cause: str = "", subject_user_id: int | None = None, amount=None, invoice_amount=None,
                evidence_document: str = "", financial_consumer: bool = False, now=None) -> Ticket:
    kind = choice(kind, "kind", list(Kind.values))
    channel = choice(channel or Channel.PHONE, "channel", list(Channel.values))
    priority = choice(priority or Priority.NORMAL, "priority", list(Priority.values))
    customer = customer_get(user=actor, customer_id=customer_id, perm=P.HANDLE)
    subject = text(subject, "subject", max_length=200, required=True)
    money = parse_amount(amount, "amount", required=kind in (Kind.RETURN, Kind.ALLOWANCE))
    data = {}
    if kind == Kind.ALLOWANCE:
        data["evidence_document"] = text(evidence_document, "evidence_document", max_length=200, required=True)
        inv = parse_amount(invoice_amount, "invoice_amount", required=True)
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
                 customer_id=customer.pk, new={"kind": kind, **_snapshot(ticket)})
    return ticket


def holds_level(actor, level: str, org_path: str) -> bool:
    """Whether ``actor`` holds, over ``org_path``, a role that authorises a return at ``level`` (S-11; the
    general manager is the role general_manager)."""
    roles = {g.role for g in access_for(actor).grants if org_path.startswith(g.org_path)}
    return rules.holds_return_level(level, roles)


def _extend(ticket: Ticket, to: str) -> None:
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


def _notice(now, to: str, reason: str) -> dict:
    """The notice to the complainant of an extension, dated in the business time zone (Asia/Shanghai)."""
    local = timezone.localtime(now, cr.SHANGHAI)
    return {"at": now.isoformat(), "date": local.date().isoformat(), "to": to, "reason": reason}


def _guard_handler(actor, ticket: Ticket) -> None:
    if ticket.subject_user_id and ticket.subject_user_id == actor.pk:
        raise HandlerIsSubject()


@transaction.atomic
def ticket_transition(*, actor, ticket_id: int, to: str, reason: str = "", disposition: str = "",
                      now=None) -> Ticket:
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    _guard_handler(actor, ticket)
    if to in (State.APPROVED, State.REJECTED, State.AUTHORISED):
        raise InvalidInput(field="to", code="use_approve")
    if to == State.CREDITED:
        raise InvalidInput(field="to", code="use_credit_note")
    if not rules.can_transition(ticket.kind, ticket.state, to):
        raise InvalidTransition(code="illegal_transition")
    if to == State.EXTENDED_60:  # S-6: the second extension needs a higher level's approval
        raise InvalidInput(field="to", code="use_extension_request")
    old = _snapshot(ticket)
    if to == State.DISPOSITIONED:
        ticket.disposition = choice(disposition, "disposition", list(Disposition.values))
    if ticket.kind == Kind.ONLINE and to in rules.ONLINE_SETTLING and rules.awaiting_decision(
            ticket.escalated_at is not None, ticket.decided_by_id is not None):
        raise InvalidTransition(code="awaiting_decision")
    if ticket.kind == Kind.RETURN and ticket.state == State.DISPOSITIONED and to == State.CLOSED \
            and rules.return_next_after_disposition(ticket.disposition) != State.CLOSED:
        raise InvalidTransition(code="credit_note_first")
    if to == State.REOPENED:
        if not rules.can_reopen(ticket.closed_at, now, get_param("service.reopen_days")):
            raise ReopenWindowClosed()
        ticket.closed_at = None
        res_amount, res_unit = (ticket.data.get("sla") or {}).get("resolution") or (
            get_param("service.complaint_resolution_working_days"), "working_days")
        ticket.resolution_due = cr.due_at(now, amount=int(res_amount), unit=res_unit, cal=calendar_for(ticket.org_path))
    if to in (State.EXTENDED_30, State.EXTENDED_60):
        if not reason:
            raise InvalidInput(field="reason", code="required")
        _extend(ticket, to)
        ticket.data = {**ticket.data, "notices": ticket.data.get("notices", []) + [_notice(now, to, reason)]}
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
    code = {State.WITHDRAWN: E.TICKET_WITHDRAWN, State.REOPENED: E.TICKET_REOPENED,
            State.EXTENDED_30: E.TICKET_EXTENDED, State.EXTENDED_60: E.TICKET_EXTENDED}.get(to, E.TICKET_TRANSITION)
    audit_record(actor=actor, event_code=code, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=_snapshot(ticket), reason=reason)
    return ticket


@transaction.atomic
def ticket_approve(*, actor, ticket_id: int, approve: bool = True, reason: str = "", role: str = "",
                   now=None) -> Ticket:
    """Approve a complaint resolution, a return or an allowance. The maker never approves; the complaint's
    subject never approves. An allowance takes one sign-off per required role (``allowance.allowance_sign``)
    and becomes a receivable reduction when the last is in."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=(P.APPROVE, P.SIGN_ALLOWANCE, P.APPROVE_RETURN),
                        lock=True)
    if ticket.kind == Kind.ALLOWANCE:
        return allowance_sign(actor=actor, ticket_id=ticket_id, approve=approve, role=role, reason=reason, now=now)
    perm = P.APPROVE_RETURN if ticket.kind == Kind.RETURN else P.APPROVE
    if not access_for(actor).reaches(perm, org_path=ticket.org_path, owner_id=ticket.owner_id):
        raise PermissionDenied()  # allowance signers approve nothing else; the general manager only returns
    _guard_handler(actor, ticket)
    if actor.pk in (ticket.created_by_id, ticket.handler_id):
        raise SelfApprovalNotAllowed()
    target = State.APPROVED if approve else (State.REJECTED if ticket.kind in (Kind.RETURN, Kind.ALLOWANCE)
                                             else State.INVESTIGATING)
    if approve and ticket.kind == Kind.RETURN:
        target = State.AUTHORISED
    if not rules.can_transition(ticket.kind, ticket.state, target):
        raise InvalidTransition(code="illegal_transition")
    if approve and ticket.kind == Kind.RETURN and ticket.state == State.RECEIVED:
        needed = rules.return_approver_level(ticket.amount, Decimal(get_param("service.return_supervisor_limit")),
                                             Decimal(get_param("service.return_gm_threshold")))
        if not holds_level(actor, needed, ticket.org_path):
            raise PermissionDenied(code="approval_level")
        ticket.data = {**ticket.data, "approval_level": needed}
    old = _snapshot(ticket)
    ticket.state = target
    ticket.approved_by = actor if approve else None
    ticket.save()
    record_change(ticket, old["state"], actor=actor, note=reason, now=now)
    audit_record(actor=actor, event_code=E.TICKET_APPROVED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=_snapshot(ticket), reason=reason)
    return ticket


def _reduce(actor, ticket: Ticket, source: str, now) -> ReceivableReduction:
    red = ReceivableReduction.objects.create(
        customer_id=ticket.customer_id, reduction_amount=ticket.amount, currency=ticket.currency,
        effective_date=timezone.localdate(now), ticket=ticket, source=source)
    audit_record(actor=actor, event_code=E.RECEIVABLE_REDUCED, object_type="helpdesk.reduction",
                 object_id=red.pk, customer_id=ticket.customer_id,
                 new={"amount": str(red.reduction_amount), "source": red.source})
    return red


@transaction.atomic
def return_credit_note(*, actor, ticket_id: int, reason: str = "", now=None) -> Ticket:
    """Issue the credit note (红字发票) of a refunded return: finance or a supervisor, never the ticket's
    maker or handler; the credit note reduces the customer's receivables."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.APPROVE, lock=True)
    _guard_handler(actor, ticket)
    if actor.pk in (ticket.created_by_id, ticket.handler_id):
        raise SelfApprovalNotAllowed()
    if ticket.kind != Kind.RETURN or not rules.can_transition(ticket.kind, ticket.state, State.CREDITED) \
            or rules.return_next_after_disposition(ticket.disposition) != State.CREDITED:
        raise InvalidTransition(code="illegal_transition")
    old = _snapshot(ticket)
    ticket.state = State.CREDITED
    ticket.save()
    record_change(ticket, old["state"], actor=actor, note=reason, now=now)
    audit_record(actor=actor, event_code=E.TICKET_TRANSITION, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=_snapshot(ticket), reason=reason)
    _reduce(actor, ticket, "credit_note", now)
    return ticket


@transaction.atomic
def ticket_pause(*, actor, ticket_id: int, reason: str, now=None) -> Ticket:
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    _guard_handler(actor, ticket)
    if ticket.paused_at or ticket.state in rules.TERMINAL:
        raise InvalidTransition(code="cannot_pause")
    ticket.paused_at = now
    ticket.save(update_fields=["paused_at"])
    audit_record(actor=actor, event_code=E.TICKET_PAUSED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, reason=text(reason, "reason", max_length=500, required=True))
    return ticket


@transaction.atomic
def ticket_resume(*, actor, ticket_id: int, now=None) -> Ticket:
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    if not ticket.paused_at:
        raise InvalidTransition(code="not_paused")
    old = _snapshot(ticket)
    if ticket.resolution_due:
        ticket.resolution_due = cr.resume_due(due=ticket.resolution_due, paused_at=ticket.paused_at, resumed_at=now,
                                              unit=clock_unit(ticket), cal=calendar_for(ticket.org_path))
    ticket.data = {**ticket.data, "pauses": ticket.data.get("pauses", []) + [
        [ticket.paused_at.isoformat(), now.isoformat()]]}
    ticket.paused_at = None
    ticket.save()
    schedule_checkpoints(ticket, now)
    audit_record(actor=actor, event_code=E.TICKET_RESUMED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, old=old, new=_snapshot(ticket))
    return ticket


@transaction.atomic
def ticket_escalate(*, actor, ticket_id: int, reason: str, now=None) -> Ticket:
    """The agent hands a decision to the supervisor instead of deciding alone (线上服务管理制度 二.2);
    until the supervisor decides, the conversation cannot be answered in full or closed."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    _guard_handler(actor, ticket)
    reason = text(reason, "reason", max_length=500, required=True)
    if ticket.state in rules.TERMINAL or rules.awaiting_decision(ticket.escalated_at is not None,
                                                                 ticket.decided_by_id is not None):
        raise InvalidTransition(code="cannot_escalate")
    ticket.escalated_at = now
    ticket.decided_by = None
    if ticket.handler_id is None:
        ticket.handler = actor
    ticket.data = {**ticket.data, "escalation": {"by": actor.pk, "at": now.isoformat(), "reason": reason}}
    ticket.save()
    audit_record(actor=actor, event_code=E.TICKET_ESCALATED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, reason=reason)
    return ticket


@transaction.atomic
def ticket_decide(*, actor, ticket_id: int, decision: str, now=None) -> Ticket:
    """The supervisor's decision on an escalated ticket; never by the agent who escalated it."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.APPROVE, lock=True)
    _guard_handler(actor, ticket)
    decision = text(decision, "decision", max_length=2000, required=True)
    if not rules.awaiting_decision(ticket.escalated_at is not None, ticket.decided_by_id is not None):
        raise InvalidTransition(code="not_escalated")
    if actor.pk == (ticket.data.get("escalation") or {}).get("by"):
        raise SelfApprovalNotAllowed()
    ticket.decided_by = actor
    ticket.data = {**ticket.data, "decision": {"by": actor.pk, "at": now.isoformat(), "text": decision}}
    ticket.save()
    audit_record(actor=actor, event_code=E.TICKET_DECIDED, object_type="helpdesk.ticket", object_id=ticket.pk,
                 customer_id=ticket.customer_id, new={"decision": decision})
    return ticket


@transaction.atomic
def ticket_link_article(*, actor, ticket_id: int, article_id: int) -> Ticket:
    """Link a knowledge-base answer to the ticket it answered (the FAQ stays the agents' shared answer)."""
    from .models import KnowledgeArticle

    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    article = KnowledgeArticle.objects.filter(pk=article_id).first()
    if article is None:
        raise InvalidInput(field="article_id", code="unknown_article")
    if not ticket.articles.filter(pk=article.pk).exists():
        ticket.articles.add(article)
        audit_record(actor=actor, event_code=E.ARTICLE_LINKED, object_type="helpdesk.ticket", object_id=ticket.pk,
                     customer_id=ticket.customer_id, new={"article": article.pk, "title": article.title})
    return ticket


def time_used(ticket: Ticket, now=None, calendars: dict | None = None):
    """Working time the ticket has been on the clock: from receipt to closing (or now), pauses taken off
    (a running pause counts as paused up to now)."""
    from datetime import datetime

    now = now or timezone.now()
    end = ticket.closed_at or now
    pauses = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in ticket.data.get("pauses", [])]
    if ticket.paused_at:
        pauses.append((ticket.paused_at, end))
    if calendars is None:
        cal = calendar_for(ticket.org_path)
    else:  # a page of tickets: one calendar per org unit, not two queries per ticket
        cal = calendars.get(ticket.org_path) or calendars.setdefault(ticket.org_path, calendar_for(ticket.org_path))
    return cr.working_time_used(ticket.received_at, end, pauses, cal)


@transaction.atomic
def ticket_request_extension(*, actor, ticket_id: int, reason: str, now=None) -> Ticket:
    """Ask for the second 30-day extension of a complaint (S-6); a higher-level supervisor decides."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.HANDLE, lock=True)
    _guard_handler(actor, ticket)
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


def _higher_level(actor, org_path: str) -> bool:
    """A service supervisor of an org unit above the ticket's (the head office is above every branch)."""
    return any(g.role == "service_supervisor" and org_path.startswith(g.org_path) and g.org_path != org_path
               for g in access_for(actor).grants)


@transaction.atomic
def ticket_decide_extension(*, actor, ticket_id: int, approve: bool = True, reason: str = "", now=None) -> Ticket:
    """Approve (or refuse) a requested extension. Approving extends the regulatory clock by
    ``service.complaint_extension_days`` and records the notice to the complainant (S-6)."""
    now = now or timezone.now()
    ticket = ticket_get(user=actor, ticket_id=ticket_id, perm=P.APPROVE, lock=True)
    _guard_handler(actor, ticket)
    request = ticket.data.get("extension_request")
    if not request:
        raise InvalidTransition(code="no_extension_request")
    if actor.pk in (request["by"], ticket.created_by_id, ticket.handler_id):
        raise SelfApprovalNotAllowed()
    if not _higher_level(actor, ticket.org_path):
        raise PermissionDenied(code="approval_level")
    old = _snapshot(ticket)
    data = {k: v for k, v in ticket.data.items() if k != "extension_request"}
    if approve:
        if not rules.can_transition(ticket.kind, ticket.state, request["to"]):
            raise InvalidTransition(code="illegal_transition")
        _extend(ticket, request["to"])
        data["notices"] = data.get("notices", []) + [
            {**_notice(now, request["to"], request["reason"]), "approved_by": actor.pk}]
        ticket.state = request["to"]
    ticket.data = data
    ticket.save()
    if approve:  # a refusal leaves the state as it was: no history row (the audit row records it)
        record_change(ticket, old["state"], actor=actor, note=reason, now=now)
        schedule_checkpoints(ticket, now, reset=("resolution", "regulatory"))
    audit_record(actor=actor, event_code=E.TICKET_EXTENDED if approve else E.EXTENSION_REFUSED,
                 object_type="helpdesk.ticket", object_id=ticket.pk, customer_id=ticket.customer_id, old=old,
                 new=_snapshot(ticket), reason=reason)
    return ticket
