"""A ticket's clocks: the SLA policy and targets it gets on receipt, the unit each clock counts in, the
checkpoints the SLA watcher compares with the present (kehu.helpdesk.watch), and the working time used."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from kehu.core import calendar as cr
from kehu.core.params import get_param
from kehu.core.selectors import calendar_for
from kehu.customers.models import Customer
from kehu.helpdesk import rules
from kehu.helpdesk.models import Kind, SlaCheckpoint, SlaPolicy, SlaUnit, Ticket

# Parameters that fill a policy's empty target (seeded default policies leave both empty).
_FALLBACK_FIRST: dict[str, str] = {Kind.ONLINE: "service.online_first_reply_working_hours",
                   Kind.DISSATISFACTION: "service.dissatisfaction_first_response_working_hours"}
_FALLBACK_RESOLUTION: dict[str, str] = {Kind.ONLINE: "service.online_full_answer_working_days",
                        Kind.DISSATISFACTION: "service.dissatisfaction_resolution_working_days"}


def sla_targets(policy: SlaPolicy | None, kind: str) -> dict[str, Any]:
    """First-response and resolution targets (amount, unit) of a ticket of ``kind`` under ``policy``."""
    first_unit = policy.first_response_unit if policy else SlaUnit.WORKING_HOURS
    res_unit = policy.resolution_unit if policy else SlaUnit.WORKING_DAYS
    first = policy.first_response_amount if policy and policy.first_response_amount is not None else \
        get_param(_FALLBACK_FIRST.get(kind, "service.first_response_working_hours"))
    res = policy.resolution_amount if policy and policy.resolution_amount is not None else \
        get_param(_FALLBACK_RESOLUTION.get(kind, "service.complaint_resolution_working_days"))
    return {"first_response": (int(first), str(first_unit)), "resolution": (int(res), str(res_unit)),
            "policy": policy.name if policy else ""}


def policy_for(*, kind: str, priority: str, channel: str, customer: Customer) -> SlaPolicy | None:
    """The most specific active SLA policy that matches a new ticket (``rules.select_policy``)."""
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


def _pauses(ticket: Ticket) -> list[tuple[datetime, datetime]]:
    """The ticket's finished pauses, as kept in ``data["pauses"]`` (ISO texts)."""
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in ticket.data.get("pauses", [])]


def schedule_checkpoints(ticket: Ticket, now: datetime, *, reset: tuple[str, ...] = ()) -> None:
    """(Re)compute when each running clock of ``ticket`` reaches the warning fractions
    (``service.sla_warn_fractions``) and its due time, on the ticket's business calendar. Checkpoints the
    watcher has already passed stay (a warning is given once) unless their clock is in ``reset`` (its due
    time moved: an extension or a reopening starts its warnings afresh)."""
    pending = SlaCheckpoint.objects.filter(ticket=ticket)
    pending.filter(models.Q(done_at__isnull=True) | models.Q(clock__in=reset)).delete()
    done = set(pending.values_list("clock", "fraction"))
    dues = {"first_response": None if ticket.first_responded_at else ticket.first_response_due,
            "resolution": ticket.resolution_due, "regulatory": ticket.regulatory_due}
    if ticket.state in rules.TERMINAL or ticket.paused_at:
        return  # a paused clock gets its checkpoints again on resuming
    cal = calendar_for(ticket.org_path)
    pauses = _pauses(ticket)
    fractions = get_param("service.sla_warn_fractions")
    units = clock_units(ticket)
    rows = []
    for clock in CLOCKS:
        due = dues[clock]
        if due is None:
            continue
        for fraction, at in cr.checkpoint_times(start=ticket.received_at, due=due, now=now, pauses=pauses,
                                                unit=units[clock], fractions=fractions, cal=cal):
            if (clock, fraction) not in done:
                rows.append(SlaCheckpoint(ticket=ticket, clock=clock, fraction=fraction, at=at))
    SlaCheckpoint.objects.bulk_create(rows)


def time_used(ticket: Ticket, now: datetime | None = None,
              calendars: dict[str, cr.BusinessCalendar] | None = None) -> timedelta:
    """Working time the ticket has been on the clock: from receipt to closing (or now), pauses taken off
    (a running pause counts as paused up to now)."""
    now = now or timezone.now()
    end = ticket.closed_at or now
    pauses = _pauses(ticket)
    if ticket.paused_at:
        pauses.append((ticket.paused_at, end))
    if calendars is None:
        cal = calendar_for(ticket.org_path)
    else:  # a page of tickets: one calendar per org unit, not two queries per ticket
        cal = calendars.get(ticket.org_path) or calendars.setdefault(ticket.org_path, calendar_for(ticket.org_path))
    return cr.working_time_used(ticket.received_at, end, pauses, cal)
