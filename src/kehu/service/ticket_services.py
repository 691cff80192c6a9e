"""Complaint writes: receive, move through the state machine of spec 6.2, pause and resume the clock."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kehu.core.models import User
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.customers.selectors import customer_get

from . import rules
from .calendar_rules import due_at, remaining_seconds, resume_due
from .events import ServiceEvent
from .models import Ticket
from .permissions import ServicePerm
from .selectors import calendar_for

CHANNELS = ("PHONE", "EMAIL", "LETTER", "ONLINE", "VISIT")


def _clock() -> rules.RegulatoryClock:
    return rules.RegulatoryClock(
        get_param("service.fi_simple_days"),
        get_param("service.fi_complex_days"),
        get_param("service.fi_extension_days"),
        get_param("service.fi_max_days"),
    )


def complaint_receive(
    *,
    actor: User,
    customer_id: int,
    channel: str,
    subject: str,
    category: str = "",
    subject_employee_id: int | None = None,
    regulated: bool = False,
    sla_amount: int = 13,
    sla_unit: str = "calendar_days",
    now: datetime | None = None,
) -> Ticket:
    if not access_for(actor).has(ServicePerm.HANDLE):
        raise PermissionDenied()
    if channel not in CHANNELS:
        raise InvalidInput(_("Unknown channel."), field="channel")
    if not subject or not subject.strip():
        raise InvalidInput(_("A subject is required."), field="subject")
    now = now or timezone.now()
    with transaction.atomic():
        customer = customer_get(user=actor, customer_id=customer_id, perm=ServicePerm.VIEW)
        cal = calendar_for(org_path=customer.org_path)
        ticket = Ticket.objects.create(
            kind=Ticket.Kind.COMPLAINT,
            status="RECEIVED",
            customer=customer,
            org_path=customer.org_path,
            channel=channel,
            subject=subject.strip()[:200],
            category=category,
            received_at=now,
            subject_employee_id=subject_employee_id,
            sla_unit=sla_unit,
            sla_amount=sla_amount,
            due_at=due_at(cal, now, sla_amount, sla_unit),
            regulatory_due_at=rules.regulatory_due(cal, now, _clock(), 0) if regulated else None,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            event_code=ServiceEvent.COMPLAINT_RECEIVED,
            object_type="service.ticket",
            object_id=ticket.pk,
            customer_id=customer.pk,
            new={"status": "RECEIVED", "due_at": ticket.due_at.isoformat()},
        )
    return ticket


def _locked(actor: User, ticket_id: int) -> Ticket:
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound()
    access = access_for(actor)
    if not access.reaches(ServicePerm.VIEW, org_path=ticket.org_path):
        raise NotFound()
    if not access.reaches(ServicePerm.HANDLE, org_path=ticket.org_path):
        raise PermissionDenied()
    return ticket


def complaint_transition(
    *, actor: User, ticket_id: int, target: str, reason: str = "", now: datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(actor, ticket_id)
        if rules.handler_is_recused(actor.pk, ticket.subject_employee_id):
            raise PermissionDenied(_("You are the employee this complaint is about and may not handle it."))
        try:
            rules.check_transition("complaint", ticket.status, target)
        except rules.IllegalTransition as exc:
            raise InvalidTransition(
                _("A complaint cannot go from %(a)s to %(b)s.") % {"a": ticket.status, "b": target}
            ) from exc
        if target in ("EXTENDED_30", "EXTENDED_60"):
            if ticket.regulatory_due_at is None:
                raise Conflict(_("Only a complaint under the regulatory clock can be extended."))
            if target == "EXTENDED_60" and not access_for(actor).reaches(
                ServicePerm.SUPERVISE, org_path=ticket.org_path
            ):
                raise PermissionDenied(_("The second extension needs a supervisor's approval."))
            if not reason.strip():
                raise InvalidInput(_("Give the reason told to the complainant."), field="reason")
            ticket.regulatory_level += 1
            ticket.regulatory_due_at = rules.regulatory_due(
                calendar_for(org_path=ticket.org_path), ticket.received_at, _clock(), ticket.regulatory_level
            )
        if target == "REOPENED" and not rules.may_reopen(
            ticket.closed_at, now, get_param("service.reopen_window_days")
        ):
            raise Conflict(_("The reopening window has passed."))
        if target == "WITHDRAWN":
            ticket.ended_on = rules.withdrawal_end_date(timezone.localdate(now))
            ticket.due_at = None
        if target == "CLOSED":
            ticket.closed_at = now
            ticket.due_at = None
        if ticket.handler_id is None:
            ticket.handler = actor
        old = ticket.status
        ticket.status = target
        ticket.save()
        audit_record(
            actor=actor,
            event_code=ServiceEvent.COMPLAINT_TRANSITION,
            object_type="service.ticket",
            object_id=ticket.pk,
            customer_id=ticket.customer_id,
            old={"status": old},
            new={"status": target},
            reason=reason,
        )
    return ticket


def ticket_pause(*, actor: User, ticket_id: int, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(actor, ticket_id)
        if ticket.paused_at is not None or ticket.due_at is None:
            raise Conflict(_("The clock is not running."))
        cal = calendar_for(org_path=ticket.org_path)
        ticket.paused_remaining_seconds = remaining_seconds(cal, ticket.due_at, now, ticket.sla_unit)
        ticket.paused_at, ticket.due_at = now, None
        ticket.save(update_fields=["paused_at", "paused_remaining_seconds", "due_at"])
        audit_record(
            actor=actor,
            event_code=ServiceEvent.TICKET_PAUSED,
            object_type="service.ticket",
            object_id=ticket.pk,
            customer_id=ticket.customer_id,
            new={"remaining_seconds": ticket.paused_remaining_seconds},
        )
    return ticket


def ticket_resume(*, actor: User, ticket_id: int, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(actor, ticket_id)
        if ticket.paused_at is None:
            raise Conflict(_("The clock is not paused."))
        cal = calendar_for(org_path=ticket.org_path)
        ticket.due_at = resume_due(cal, ticket.paused_remaining_seconds, now, ticket.sla_unit)
        ticket.paused_at, ticket.paused_remaining_seconds = None, None
        ticket.save(update_fields=["paused_at", "paused_remaining_seconds", "due_at"])
        audit_record(
            actor=actor,
            event_code=ServiceEvent.TICKET_RESUMED,
            object_type="service.ticket",
            object_id=ticket.pk,
            customer_id=ticket.customer_id,
            new={"due_at": ticket.due_at.isoformat()},
        )
    return ticket
