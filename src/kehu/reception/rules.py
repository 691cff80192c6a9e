"""Pure rules of the reception: the visit's state machine (V-4), reception hours (V-2), the VIP checklist
(V-5), overstays and retention (V-9). No ORM, no clock: the calendar and the time are passed in."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from kehu.core import calendar as cr

TRANSITIONS: dict[str, set[str]] = {
    "requested": {"scheduled", "cancelled"},
    "scheduled": {"checked_in", "cancelled", "no_show"},
    "checked_in": {"in_meeting", "checked_out"},
    "in_meeting": {"checked_out"},
    "checked_out": {"surveyed", "closed"},
    "surveyed": {"closed"},
    "closed": set(),
    "cancelled": set(),
    "no_show": set(),
}
FINISHED = {"checked_out", "surveyed", "closed", "cancelled", "no_show"}
IN_BUILDING = {"checked_in", "in_meeting"}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


def within_reception_hours(start: datetime, minutes: int, cal: cr.BusinessCalendar) -> bool:
    """Whether the whole stay [start, start + minutes] falls inside one session of a working day of the
    business calendar (so a stay across lunch, after closing or on a holiday is outside)."""
    if start.tzinfo is None:
        raise ValueError("aware datetimes only")
    local = start.astimezone(cal.tz)
    end = local + timedelta(minutes=minutes)
    if not cr.is_working_day(local.date(), cal) or end.date() != local.date():
        return False
    for s, e in cal.sessions:
        begin, finish = datetime.combine(local.date(), s, cal.tz), datetime.combine(local.date(), e, cal.tz)
        if begin <= local and end <= finish:
            return True
    return False


def checklist_missing(checklist: Mapping[str, object], required: list[str]) -> list[str]:
    """Items of the VIP checklist not ticked yet."""
    return [item for item in required if not checklist.get(item)]


def overstay(*, state: str, checked_in_at: datetime | None, expected_minutes: int, grace_minutes: int,
             now: datetime) -> bool:
    return (state in IN_BUILDING and checked_in_at is not None
            and now > checked_in_at + timedelta(minutes=expected_minutes + grace_minutes))


def purge_due(*, linked_to_customer: bool, state: str, visit_day: date, today: date, retention_days: int) -> bool:
    """V-9: registration data of a finished visit not linked to a customer goes after the retention period."""
    return (not linked_to_customer and state in FINISHED
            and today > visit_day + timedelta(days=retention_days))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
