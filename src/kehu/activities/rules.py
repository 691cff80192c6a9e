"""Pure rules of activities and follow-ups: due dates on the working calendar, contact intervals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

_MAX_DAYS = 3660  # ten years: a calendar without any working day is a configuration error


def due_on_working_day(requested: date, is_working_day: Callable[[date], bool]) -> date:
    """Return ``requested`` if it is a working day, else the next working day (holidays, weekends)."""
    day = requested
    for _ in range(_MAX_DAYS):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError("no working day within ten years")


def contact_interval(grade: str | None, intervals: Mapping[str, int], ungraded: int) -> int:
    """Return the days a customer of ``grade`` may go without contact."""
    if grade and grade in intervals:
        return int(intervals[grade])
    return int(ungraded)


def contact_overdue(last_contact: date | None, since: date, today: date, interval_days: int) -> int:
    """Return how many days past its interval the customer's contact is (0 when not overdue).

    A customer never contacted counts from ``since`` (when it entered the archive)."""
    start = last_contact or since
    return max(0, (today - start).days - interval_days)


def task_state(due_on: date, today: date) -> str:
    """'overdue', 'today' or 'upcoming' for an open follow-up."""
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "today"
    return "upcoming"
