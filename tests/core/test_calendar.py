from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.core.calendar import (
    SHANGHAI,
    BusinessCalendar,
    add_calendar_days,
    add_working_days,
    add_working_time,
    due_at,
    is_working_day,
    remaining,
    resume_due,
    working_time_between,
)

CAL = BusinessCalendar()


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


H = timedelta(hours=1)


@pytest.mark.parametrize("start, hours, expected", [
    (at(2025, 9, 26, 11, 30), 1, at(2025, 9, 26, 14, 0)),        # across the lunch break
    (at(2025, 9, 26, 12, 30), 1, at(2025, 9, 26, 14, 30)),       # start inside the break
    (at(2025, 9, 26, 7, 0), 1, at(2025, 9, 26, 9, 30)),          # before opening
    (at(2025, 9, 26, 17, 0), 1, at(2025, 9, 28, 9, 0)),          # Friday -> make-up Sunday Sep 28
    (at(2025, 9, 30, 17, 0), 1, at(2025, 10, 9, 9, 0)),          # National Day Oct 1-8 off
    (at(2025, 10, 10, 17, 0), 1, at(2025, 10, 11, 9, 0)),        # make-up Saturday Oct 11
    (at(2025, 11, 14, 17, 0), 1, at(2025, 11, 17, 9, 0)),        # ordinary weekend
    (at(2025, 12, 31, 17, 0), 1, at(2026, 1, 4, 9, 0)),          # year end: New Year 2026 Jan 1-3 off
    (at(2025, 9, 26, 8, 30), 7.5, at(2025, 9, 26, 17, 30)),      # exactly one working day
    (at(2025, 9, 26, 10, 0), 0, at(2025, 9, 26, 10, 0)),
])
def test_add_working_time_table(start, hours, expected):
    assert add_working_time(start, timedelta(hours=hours), CAL) == expected


@pytest.mark.parametrize("start, days, expected", [
    (at(2025, 9, 26, 10), 1, at(2025, 9, 28, 17, 30)),
    (at(2025, 9, 30, 10), 1, at(2025, 10, 9, 17, 30)),
    (at(2025, 9, 30, 10), 3, at(2025, 10, 11, 17, 30)),
    (at(2025, 12, 31, 10), 1, at(2026, 1, 4, 17, 30)),
])
def test_add_working_days_table(start, days, expected):
    assert add_working_days(start, days, CAL) == expected


def test_calendar_days_and_units():
    assert add_calendar_days(at(2025, 12, 20, 10), 15, CAL) == datetime(2026, 1, 4, 23, 59, 59, tzinfo=SHANGHAI)
    assert due_at(at(2025, 9, 26, 11, 30), amount=1, unit="working_hours", cal=CAL) == at(2025, 9, 26, 14)
    with pytest.raises(ValueError):
        due_at(at(2025, 9, 26), amount=1, unit="fortnights", cal=CAL)
    with pytest.raises(ValueError):
        add_working_time(datetime(2025, 9, 26, 10), H, CAL)  # noqa: DTZ001 - must be rejected


def test_overrides_win_and_unknown_years_fall_back():
    assert is_working_day(date(2025, 9, 28), CAL)
    assert not is_working_day(date(2025, 10, 1), CAL)
    closed = BusinessCalendar(overrides={date(2025, 9, 29): False})
    assert add_working_time(at(2025, 9, 28, 17), H, closed) == at(2025, 9, 30, 9, 0)
    assert is_working_day(date(2099, 6, 1), CAL) is True  # Monday, year unknown to the library
    assert is_working_day(date(2099, 6, 6), CAL) is False
    assert not is_working_day(date(2099, 6, 1), BusinessCalendar(overrides={date(2099, 6, 1): False}))


def test_sessions_must_be_ordered():
    with pytest.raises(ValueError):
        BusinessCalendar(sessions=((time(13), time(12)),))


def test_pause_really_stops_the_clock():
    start = at(2025, 9, 26, 9, 0)
    due = add_working_time(start, 4 * H, CAL)  # 14:30
    assert due == at(2025, 9, 26, 14, 30)
    new = resume_due(due=due, paused_at=at(2025, 9, 26, 10), resumed_at=at(2025, 9, 28, 9), unit="working_hours",
                     cal=CAL)
    # 3h of working time remained at 10:00 Friday; the clock restarts Sunday 09:00 (make-up day)
    assert new == at(2025, 9, 28, 12, 0)
    assert remaining(at(2025, 9, 28, 9), new, CAL, unit="working_hours") == 3 * H
    assert resume_due(due=due, paused_at=at(2025, 9, 26, 10), resumed_at=at(2025, 9, 27, 10),
                      unit="calendar_days", cal=CAL) == due + timedelta(days=1)
    overdue = resume_due(due=due, paused_at=at(2025, 9, 26, 15), resumed_at=at(2025, 9, 28, 9),
                         unit="working_hours", cal=CAL)
    assert overdue == due


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)).map(  # noqa: DTZ001
    lambda d: d.replace(tzinfo=SHANGHAI, second=0, microsecond=0))
spans = st.integers(min_value=0, max_value=60 * 24 * 10).map(lambda m: timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(moments, spans)
def test_working_time_round_trip(start, amount):
    due = add_working_time(start, amount, CAL)
    assert due >= start
    assert working_time_between(start, due, CAL) == amount
    if amount > timedelta(0):
        assert is_working_day(due.astimezone(SHANGHAI).date(), CAL)


@settings(max_examples=100, deadline=None)
@given(moments, spans, spans)
def test_working_time_is_additive_and_monotone(start, a, b):
    assert add_working_time(start, min(a, b), CAL) <= add_working_time(start, max(a, b), CAL)
    assert working_time_between(start, add_working_time(add_working_time(start, a, CAL), b, CAL), CAL) == a + b


@settings(max_examples=100, deadline=None)
@given(moments, spans, spans)
def test_pause_never_shortens_remaining_work(start, before_pause, pause):
    due = add_working_time(start, 8 * H, CAL)
    paused = start + before_pause
    resumed = paused + pause
    new = resume_due(due=due, paused_at=paused, resumed_at=resumed, unit="working_hours", cal=CAL)
    left = working_time_between(paused, due, CAL)
    if left > timedelta(0):
        assert working_time_between(resumed, new, CAL) == left
    else:
        assert new == due
