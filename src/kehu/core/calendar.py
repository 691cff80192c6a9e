"""The one business calendar of kehu: pure due-time functions on China's calendar. No ORM: the calendar
is passed in (``kehu.core.selectors.calendar_for`` reads an org unit's from ``WorkingHours`` and
``CalendarOverride``). Every app that counts working days or hours uses these functions: helpdesk
clocks, reception hours, privacy request deadlines, suitability filings, follow-up due days, and the
scheduler's "n-th working day of the month".

Working days come from ``chinese_calendar`` (public holidays and make-up working days); per-org
overrides win over the library, and years the library does not know fall back to Monday-Friday.
Working hours are sessions with breaks, by default 08:30-12:00 and 13:30-17:30 (reception policy).
All datetimes are aware; computations happen in the calendar's local zone (Asia/Shanghai).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
_MAX_DAYS = 3660  # ten years of search: a calendar with no working day at all is a configuration error


@dataclass(frozen=True)
class BusinessCalendar:
    sessions: tuple[tuple[time, time], ...] = DEFAULT_SESSIONS
    overrides: dict[date, bool] = field(default_factory=dict)  # date -> is a working day
    tz: ZoneInfo = SHANGHAI

    def __post_init__(self) -> None:
        last: time | None = None
        for start, end in self.sessions:
            if not start < end or (last is not None and start < last):
                raise ValueError("working-hour sessions must be ordered and non-overlapping")
            last = end
        if not self.sessions:
            raise ValueError("at least one working-hour session is required")

    def __hash__(self) -> int:
        return hash((self.sessions, tuple(sorted(self.overrides.items())), str(self.tz)))


def is_chinese_workday(day: date) -> bool:
    """Working day on China's calendar (holidays and make-up days from chinese-calendar; Monday-Friday
    beyond the years it knows). No per-org overrides: for jobs that run for the whole company."""
    try:
        workday: bool = chinese_calendar.is_workday(day)
        return workday
    except NotImplementedError:  # year unknown to the library: plain Monday-Friday
        return day.weekday() < 5


def is_working_day(day: date, cal: BusinessCalendar) -> bool:
    """Working day for the calendar of an org unit: its overrides win over China's calendar."""
    if day in cal.overrides:
        return cal.overrides[day]
    return is_chinese_workday(day)


def _sessions_on(day: date, cal: BusinessCalendar) -> list[tuple[datetime, datetime]]:
    if not is_working_day(day, cal):
        return []
    return [(datetime.combine(day, s, cal.tz), datetime.combine(day, e, cal.tz)) for s, e in cal.sessions]


def _check(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")


def add_working_time(start: datetime, amount: timedelta, cal: BusinessCalendar) -> datetime:
    """The moment at which ``amount`` of working time has elapsed after ``start``."""
    _check(start)
    if amount < timedelta(0):
        raise ValueError("negative working time")
    local = start.astimezone(cal.tz)
    remaining = amount
    day = local.date()
    for _ in range(_MAX_DAYS):
        for s, e in _sessions_on(day, cal):
            if e <= local:
                continue
            begin = max(s, local)
            if remaining == timedelta(0):
                return begin if begin > local else local
            if begin + remaining <= e:
                return begin + remaining
            remaining -= e - begin
        day += timedelta(days=1)
    raise ValueError("no working time in the calendar")


def add_working_days(start: datetime, days: int, cal: BusinessCalendar) -> datetime:
    """End of the ``days``-th working day after the day of ``start`` (the start day does not count)."""
    _check(start)
    if days < 0:
        raise ValueError("negative days")
    day = start.astimezone(cal.tz).date()
    counted = 0
    for _ in range(_MAX_DAYS):
        if counted == days:
            break
        day += timedelta(days=1)
        if is_working_day(day, cal):
            counted += 1
    else:
        raise ValueError("no working day in the calendar")
    return datetime.combine(day, cal.sessions[-1][1], cal.tz)


def add_calendar_days(start: datetime, days: int, cal: BusinessCalendar) -> datetime:
    """End of the ``days``-th calendar day after the local day of ``start`` (regulatory clock)."""
    _check(start)
    day = start.astimezone(cal.tz).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), cal.tz)


def working_time_between(a: datetime, b: datetime, cal: BusinessCalendar) -> timedelta:
    """Working time in [a, b); negative when b < a."""
    _check(a)
    _check(b)
    if b < a:
        return -working_time_between(b, a, cal)
    a, b = a.astimezone(cal.tz), b.astimezone(cal.tz)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        for s, e in _sessions_on(day, cal):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def due_at(start: datetime, *, amount: int, unit: str, cal: BusinessCalendar) -> datetime:
    """Due time for a target of ``amount`` in ``unit`` (working_hours / working_days / calendar_days)."""
    if unit == "working_hours":
        return add_working_time(start, timedelta(hours=amount), cal)
    if unit == "working_days":
        return add_working_days(start, amount, cal)
    if unit == "calendar_days":
        return add_calendar_days(start, amount, cal)
    raise ValueError(f"unknown unit {unit!r}")


def resume_due(*, due: datetime, paused_at: datetime, resumed_at: datetime, unit: str,
               cal: BusinessCalendar) -> datetime:
    """New due time after a pause: the clock stood still from ``paused_at`` to ``resumed_at``.

    Working-time units keep the working time that remained at the pause; calendar days shift by the
    elapsed wall-clock time."""
    if resumed_at < paused_at:
        raise ValueError("resume before pause")
    if unit == "calendar_days":
        return due + (resumed_at - paused_at)
    remaining = working_time_between(paused_at, due, cal)
    if remaining <= timedelta(0):
        return due  # already overdue at the pause: the breach stands
    return add_working_time(resumed_at, remaining, cal)


def remaining(now: datetime, due: datetime, cal: BusinessCalendar, *, unit: str) -> timedelta:
    """Time left on the clock (negative when overdue)."""
    if unit == "calendar_days":
        return due - now
    return working_time_between(now, due, cal)


def working_time_used(start: datetime, end: datetime, pauses: list[tuple[datetime, datetime]],
                      cal: BusinessCalendar) -> timedelta:
    """Working time on the clock between ``start`` and ``end``: lunch breaks, weekends and holidays never
    count (make-up working days do), nor the parts of ``pauses`` that fall inside [start, end). Pauses may
    overlap; each moment is taken off once."""
    if end <= start:
        return timedelta(0)
    clipped = sorted((max(a, start), min(b, end)) for a, b in pauses if min(b, end) > max(a, start))
    merged: list[list[datetime]] = []
    for a, b in clipped:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    paused = sum((working_time_between(a, b, cal) for a, b in merged), timedelta(0))
    return working_time_between(start, end, cal) - paused


def format_duration(td: timedelta) -> str:
    """h:mm (hours may exceed 24: working time is not days)."""
    minutes = int(td.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def checkpoint_times(*, start: datetime, due: datetime, now: datetime, pauses: list[tuple[datetime, datetime]],
                     unit: str, fractions: Iterable[Decimal | float | str], cal: BusinessCalendar) -> list[tuple[Decimal, datetime]]:
    """The moments at which a clock running from ``start`` to ``due`` has used each of ``fractions`` of its
    time, and its due time (fraction 1). Working-time clocks measure working time (lunch, nights, weekends
    and holidays do not count), calendar clocks wall time; ``pauses`` before ``now`` are taken off. A
    fraction already used at ``now`` falls due at ``now``."""
    working = unit != "calendar_days"

    def between(a: datetime, b: datetime) -> timedelta:
        return working_time_between(a, b, cal) if working else b - a

    ref = max(now, start)
    if working:
        used = working_time_used(start, ref, pauses, cal)
    else:
        used = (ref - start) - sum((min(b, ref) - max(a, start) for a, b in pauses if min(b, ref) > max(a, start)),
                                   timedelta(0))
    total = used + max(timedelta(0), between(ref, due))
    out = []
    for fraction in sorted({Decimal(str(f)) for f in fractions if 0 < Decimal(str(f)) < 1}):
        target = timedelta(seconds=float(Decimal(total.total_seconds()) * fraction))
        if target <= used:
            at = ref
        else:
            at = add_working_time(ref, target - used, cal) if working else ref + (target - used)
        out.append((fraction, min(at, due)))
    out.append((Decimal(1), due))
    return out
