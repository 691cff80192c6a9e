from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.service.calendar_rules import (
    CalendarError,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    add_working_hours,
    add_working_seconds,
    due_at,
    is_working_day,
    remaining_seconds,
    resume_due,
    working_seconds_between,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


@pytest.mark.parametrize(
    "day,working",
    [
        (date(2025, 9, 28), True),  # Sunday, make-up working day
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 10, 12), False),
        (date(2025, 9, 27), False),  # plain Saturday
        (date(2025, 1, 1), False),
    ],
)
def test_national_day_2025(day, working):
    assert is_working_day(CAL, day) is working


@pytest.mark.parametrize(
    "start,hours,expected",
    [
        (at(2025, 9, 22, 9, 0), 2, at(2025, 9, 22, 11, 0)),  # inside the morning
        (at(2025, 9, 22, 11, 0), 2, at(2025, 9, 22, 14, 30)),  # across the lunch break
        (at(2025, 9, 22, 12, 30), 1, at(2025, 9, 22, 14, 30)),  # received during lunch
        (at(2025, 9, 22, 7, 0), 1, at(2025, 9, 22, 9, 30)),  # before opening
        (at(2025, 9, 22, 17, 0), 1, at(2025, 9, 23, 9, 0)),  # across the night
        (at(2025, 9, 26, 17, 0), 1, at(2025, 9, 28, 9, 0)),  # Friday -> Sunday make-up day
        (at(2025, 9, 30, 17, 0), 1, at(2025, 10, 9, 9, 0)),  # over National Day
        (at(2025, 10, 10, 17, 0), 1, at(2025, 10, 11, 9, 0)),  # Friday -> Saturday make-up day
        (at(2025, 9, 22, 10, 0), 2, at(2025, 9, 22, 12, 0)),  # landing on a session end stays there
        (
            at(2025, 12, 31, 16, 0),
            3,
            at(2026, 1, 4, 10, 0),
        ),  # year end: 1-3 Jan 2026 off, Sunday 4 Jan worked
    ],
)
def test_working_hours_table(start, hours, expected):
    assert add_working_hours(CAL, start, hours) == expected


def test_a_full_working_day_is_seven_and_a_half_hours():
    assert working_seconds_between(CAL, at(2025, 9, 22), at(2025, 9, 23)) == int(7.5 * 3600)
    assert working_seconds_between(CAL, at(2025, 10, 1), at(2025, 10, 9)) == 0


@pytest.mark.parametrize(
    "start,days,expected",
    [
        (at(2025, 9, 22, 10), 1, at(2025, 9, 23, 17, 30)),
        (at(2025, 9, 26, 10), 1, at(2025, 9, 28, 17, 30)),
        (at(2025, 9, 29, 10), 2, at(2025, 10, 9, 17, 30)),
        (at(2025, 10, 3, 10), 0, at(2025, 10, 9, 17, 30)),
        (at(2025, 9, 22, 18), 0, at(2025, 9, 23, 17, 30)),
        (at(2025, 9, 22, 9), 0, at(2025, 9, 22, 17, 30)),
        (at(2025, 12, 31, 9), 1, at(2026, 1, 4, 17, 30)),  # 4 Jan 2026 is a make-up Sunday
    ],
)
def test_working_days_table(start, days, expected):
    assert add_working_days(CAL, start, days) == expected


def test_calendar_days_and_roll():
    assert add_calendar_days(CAL, at(2025, 9, 16, 15), 15) == at(2025, 10, 2)
    assert add_calendar_days(CAL, at(2025, 9, 16, 15), 15, roll_to_working_day=True) == at(2025, 10, 10)
    assert add_calendar_days(CAL, at(2025, 12, 20, 9), 15) == at(2026, 1, 5)  # across the year end


def test_override_wins_and_unknown_year_falls_back_to_weekdays():
    cal = WorkCalendar(overrides={date(2025, 10, 8): True, date(2025, 9, 22): False})
    assert is_working_day(cal, date(2025, 10, 8))
    assert not is_working_day(cal, date(2025, 9, 22))
    assert is_working_day(CAL, date(2099, 6, 1))  # Monday, year not in the library
    assert not is_working_day(CAL, date(2099, 5, 31))
    assert not is_working_day(WorkCalendar(overrides={date(2099, 6, 1): False}), date(2099, 6, 1))


def test_custom_sessions_and_bad_input():
    cal = WorkCalendar(sessions=((time(9), time(18)),))
    assert add_working_hours(cal, at(2025, 9, 22, 17), 2) == at(2025, 9, 23, 10)
    with pytest.raises(CalendarError):
        WorkCalendar(sessions=((time(13), time(12)),))
    with pytest.raises(CalendarError):
        WorkCalendar(sessions=((time(9), time(12)), (time(11), time(14))))
    with pytest.raises(CalendarError):
        add_working_seconds(CAL, datetime(2025, 9, 22, 9), 10)  # noqa: DTZ001 - a naive datetime is the bad input
    with pytest.raises(CalendarError):
        add_working_seconds(CAL, at(2025, 9, 22, 9), -1)
    with pytest.raises(CalendarError):
        due_at(CAL, at(2025, 9, 22, 9), 1, "fortnights")
    never = WorkCalendar(overrides={})
    assert never is not None


def test_pause_stops_the_clock():
    start = at(2025, 9, 30, 10)
    due = due_at(CAL, start, 8, "working_hours")
    assert due == at(2025, 10, 9, 10, 30)
    paused = at(2025, 9, 30, 15)  # 3.5 h used: 10-12, 13:30-15
    left = remaining_seconds(CAL, due, paused, "working_hours")
    assert left == int(4.5 * 3600)
    # two working days pass while paused: they do not count
    new_due = resume_due(CAL, left, at(2025, 10, 10, 15), "working_hours")
    assert new_due == at(2025, 10, 11, 10, 30)  # 2.5 h on Friday 10 Oct, 2 h on make-up Saturday
    assert resume_due(CAL, 3600, at(2025, 10, 1, 12), "calendar_days") == at(2025, 10, 1, 13)
    assert resume_due(CAL, -5, at(2025, 10, 1, 12), "working_hours") == at(2025, 10, 1, 12)
    assert remaining_seconds(CAL, due, at(2025, 10, 9, 11, 30), "working_hours") == -3600


instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)).map(  # noqa: DTZ001 - made aware below
    lambda d: d.replace(microsecond=0, tzinfo=SH)
)
durations = st.integers(min_value=0, max_value=60 * 7.5 * 3600)


@settings(max_examples=200, deadline=None)
@given(instants, durations)
def test_elapsed_working_time_equals_requested(start, seconds):
    due = add_working_seconds(CAL, start, seconds)
    assert due >= start
    assert working_seconds_between(CAL, start, due) == seconds


@settings(max_examples=150, deadline=None)
@given(instants, durations, durations)
def test_adding_in_two_steps_is_adding_once(start, a, b):
    assert add_working_seconds(CAL, add_working_seconds(CAL, start, a), b) == add_working_seconds(
        CAL, start, a + b
    )


@settings(max_examples=150, deadline=None)
@given(instants, st.integers(min_value=1, max_value=200_000))
def test_due_is_inside_working_hours_on_a_working_day(start, seconds):
    due = add_working_seconds(CAL, start, seconds).astimezone(SH)
    assert is_working_day(CAL, due.date())
    assert any(s < due.time() <= e for s, e in CAL.sessions)


@settings(max_examples=150, deadline=None)
@given(
    instants,
    durations,
    st.integers(min_value=0, max_value=30 * 24 * 3600),
    st.integers(min_value=0, max_value=20 * 24 * 3600),
)
def test_pause_never_shortens_and_keeps_the_work_left(start, seconds, pause_after, pause_len):
    due = add_working_seconds(CAL, start, seconds)
    paused = start + timedelta(seconds=pause_after)
    if paused >= due:
        return
    left = remaining_seconds(CAL, due, paused, "working_hours")
    new_due = resume_due(CAL, left, paused + timedelta(seconds=pause_len), "working_hours")
    assert new_due >= due
    assert (
        working_seconds_between(CAL, start, paused)
        + working_seconds_between(CAL, paused + timedelta(seconds=pause_len), new_due)
        == seconds
    )


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=0, max_value=40))
def test_working_days_land_at_day_end_of_a_working_day(start, days):
    due = add_working_days(CAL, start, days).astimezone(SH)
    assert is_working_day(CAL, due.date()) and due.time() == time(17, 30)
    assert due > start
