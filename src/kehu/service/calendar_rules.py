"""Pure due-time functions on China's business calendar (no ORM; the calendar and the time are passed in).

Working days: a per-org override wins; otherwise ``chinese_calendar`` (public holidays and make-up
working days such as Sunday 28 September 2025); for a year the library does not know, Monday-Friday.
Working hours are sessions with breaks, by default 08:30-12:00 and 13:30-17:30 (reception policy).
Every datetime is aware; the arithmetic runs in the calendar's zone (Asia/Shanghai has no DST).

Conventions (each one tested):
- ``add_working_seconds(cal, t, s)`` is the EARLIEST instant at which ``s`` seconds of working time
  have elapsed since ``t``; ``s == 0`` returns ``t``; landing on a session end returns that end.
- ``add_working_days(cal, t, n)`` is the end of the last session of the n-th working day AFTER the
  local day of ``t`` (``n == 0``: the end of today's working hours, or of the next working day).
- ``add_calendar_days(cal, t, n)`` is midnight ending local day ``date(t) + n``; with
  ``roll_to_working_day`` a last day that is not a working day moves to the next working day.
- A pause stops the clock: ``resume_due(cal, remaining, resumed_at)`` restarts it with what was left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
_SEARCH_DAYS = 3660  # ten years without a working day is a configuration error


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class WorkCalendar:
    sessions: tuple[tuple[time, time], ...] = DEFAULT_SESSIONS
    overrides: Mapping[date, bool] = field(default_factory=dict)  # local date -> is a working day
    tz: ZoneInfo = SHANGHAI

    def __post_init__(self):
        if not self.sessions:
            raise CalendarError("at least one working-hour session is required")
        last = None
        for start, end in self.sessions:
            if not start < end or (last is not None and start < last):
                raise CalendarError("working-hour sessions must be ordered and must not overlap")
            last = end


def _aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise CalendarError("naive datetime")


def is_working_day(cal: WorkCalendar, d: date) -> bool:
    if d in cal.overrides:
        return bool(cal.overrides[d])
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:  # year unknown to the library: Monday-Friday until an override says otherwise
        return d.weekday() < 5


def _intervals(cal: WorkCalendar, d: date):
    for start, end in cal.sessions:
        yield datetime.combine(d, start, tzinfo=cal.tz), datetime.combine(d, end, tzinfo=cal.tz)


def next_working_day(cal: WorkCalendar, d: date) -> date:
    for _ in range(_SEARCH_DAYS):
        d += timedelta(days=1)
        if is_working_day(cal, d):
            return d
    raise CalendarError("no working day within ten years")


def add_working_seconds(cal: WorkCalendar, start: datetime, seconds: int) -> datetime:
    _aware(start)
    if seconds < 0:
        raise CalendarError("negative duration")
    local = start.astimezone(cal.tz)
    if seconds == 0:
        return start
    left = timedelta(seconds=seconds)
    d = local.date()
    for _ in range(_SEARCH_DAYS):
        if is_working_day(cal, d):
            for a, b in _intervals(cal, d):
                a = max(a, local)
                if a >= b:
                    continue
                if b - a >= left:
                    return (a + left).astimezone(start.tzinfo)
                left -= b - a
        d += timedelta(days=1)
    raise CalendarError("no working time within ten years")


def working_seconds_between(cal: WorkCalendar, a: datetime, b: datetime) -> int:
    """Working seconds in [a, b); negative when b < a."""
    _aware(a)
    _aware(b)
    if b < a:
        return -working_seconds_between(cal, b, a)
    la, lb = a.astimezone(cal.tz), b.astimezone(cal.tz)
    total = timedelta()
    d = la.date()
    while d <= lb.date():
        if is_working_day(cal, d):
            for s, e in _intervals(cal, d):
                s, e = max(s, la), min(e, lb)
                if e > s:
                    total += e - s
        d += timedelta(days=1)
    return int(total.total_seconds())


def add_working_hours(cal: WorkCalendar, start: datetime, hours: int | float) -> datetime:
    return add_working_seconds(cal, start, int(round(hours * 3600)))


def _day_end(cal: WorkCalendar, d: date) -> datetime:
    return datetime.combine(d, cal.sessions[-1][1], tzinfo=cal.tz)


def add_working_days(cal: WorkCalendar, start: datetime, days: int) -> datetime:
    _aware(start)
    if days < 0:
        raise CalendarError("negative duration")
    d = start.astimezone(cal.tz).date()
    if days == 0:
        if is_working_day(cal, d) and start < _day_end(cal, d):
            return _day_end(cal, d)
        return _day_end(cal, next_working_day(cal, d))
    for _ in range(days):
        d = next_working_day(cal, d)
    return _day_end(cal, d)


def add_calendar_days(
    cal: WorkCalendar, start: datetime, days: int, *, roll_to_working_day: bool = False
) -> datetime:
    _aware(start)
    if days < 0:
        raise CalendarError("negative duration")
    last = start.astimezone(cal.tz).date() + timedelta(days=days)
    if roll_to_working_day and not is_working_day(cal, last):
        last = next_working_day(cal, last)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=cal.tz)


UNITS = ("working_hours", "working_days", "calendar_days")


def due_at(cal: WorkCalendar, start: datetime, amount: int, unit: str) -> datetime:
    if unit == "working_hours":
        return add_working_seconds(cal, start, amount * 3600)
    if unit == "working_days":
        return add_working_days(cal, start, amount)
    if unit == "calendar_days":
        return add_calendar_days(cal, start, amount)
    raise CalendarError(f"unknown unit {unit}")


def remaining_seconds(cal: WorkCalendar, due: datetime, now: datetime, unit: str) -> int:
    """Time left on the clock at ``now`` (negative once breached), in the clock's own kind of time."""
    if unit == "calendar_days":
        return int((due - now).total_seconds())
    return working_seconds_between(cal, now, due)


def resume_due(cal: WorkCalendar, remaining: int, resumed_at: datetime, unit: str) -> datetime:
    """The new due time after a pause: the clock restarts at ``resumed_at`` with ``remaining`` seconds."""
    if remaining <= 0:
        return resumed_at
    if unit == "calendar_days":
        return resumed_at + timedelta(seconds=remaining)
    return add_working_seconds(cal, resumed_at, remaining)
