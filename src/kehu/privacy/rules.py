"""Pure privacy rules: when a request is due, which records retention reaches. No ORM, no clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kehu.core import calendar as cr


def request_due(received: datetime, cal: cr.BusinessCalendar, *, working_days: int, cap_days: int
                ) -> tuple[datetime, datetime]:
    """(due, latest): ``working_days`` working days on the business calendar, never later than ``cap_days``
    calendar days (PI-8: 15 working days, hard cap 30 days)."""
    cap = cr.add_calendar_days(received, cap_days, cal)
    due = cr.add_working_days(received, working_days, cal)
    return min(due, cap), cap


def hold_is_active(*, released_at: datetime | None, until: date | None, today: date) -> bool:
    return released_at is None and (until is None or until >= today)


def retention_expired(last_activity: datetime, now: datetime, period_days: int) -> bool:
    return now - last_activity >= timedelta(days=period_days)


def ready_to_act(listed_at: list[datetime], now: datetime, grace_days: int) -> bool:
    """A record is acted on only once a dry-run report listed it ``grace_days`` ago or earlier."""
    return any(now - at >= timedelta(days=grace_days) for at in listed_at)
