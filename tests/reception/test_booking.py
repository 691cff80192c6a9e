"""Booking against reception hours on the business calendar (V-2): hour boundaries, lunch, holidays and a
make-up (调休) Saturday; a slot outside needs a manager's approval, never the booker's own."""

import pytest

from kehu.core.errors import InvalidInput, SelfApprovalNotAllowed
from kehu.core.models import CalendarOverride, WorkingHours
from kehu.reception import services
from kehu.reception.errors import OutsideReceptionHours

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def book(world, start, minutes=30, by=None, **kw):
    values = {"visitor_kind": "prospect", "visitor_name": "李雷", "purpose": "洽谈合作", "scheduled_start": start,
              "expected_minutes": minutes, "visitor_phone": "13900139000"}
    values.update(kw)
    return services.visit_book(actor=by or world.bj_agent, now=NOW, **values)


@pytest.mark.parametrize("start, minutes, inside", [
    ("08:30", 30, True),    # opens at 08:30
    ("08:29", 30, False),   # one minute early
    ("11:30", 30, True),    # ends exactly at the lunch break
    ("11:31", 30, False),   # runs one minute into lunch
    ("12:00", 30, False),   # lunch
    ("13:29", 30, False),   # one minute before the afternoon opens
    ("13:30", 60, True),
    ("17:00", 30, True),    # ends exactly at closing
    ("17:00", 31, False),   # one minute past closing
    ("17:30", 10, False),   # closed
])
def test_hour_boundaries_on_a_friday(rworld, start, minutes, inside):
    visit = book(rworld, at("2026-10-09", start), minutes)
    assert visit.outside_hours is (not inside)
    assert visit.state == ("scheduled" if inside else "requested")


@pytest.mark.parametrize("day, inside", [
    ("2026-10-10", True),   # Saturday, make-up working day (调休) after National Day
    ("2026-10-17", False),  # an ordinary Saturday
    ("2026-10-05", False),  # Monday inside the National Day holiday
    ("2026-10-08", True),   # Thursday after the holiday
])
def test_holidays_and_make_up_saturday(rworld, day, inside):
    assert book(rworld, at(day, "09:00")).outside_hours is (not inside)


def test_one_calendar_overrides_and_working_hours_apply_to_reception(rworld):
    """The helpdesk's calendar is the one calendar: an override or changed hours move reception hours too."""
    CalendarOverride.objects.create(org_path="", day=at("2026-10-17", "09:00").date(), working=True, note="加班")
    assert book(rworld, at("2026-10-17", "09:00")).outside_hours is False
    WorkingHours.objects.create(org_path="/HQ/", sessions=[["09:00", "12:00"], ["13:00", "18:00"]])
    assert book(rworld, at("2026-10-09", "13:00")).outside_hours is False
    assert book(rworld, at("2026-10-09", "08:30")).outside_hours is True


def test_outside_hours_needs_a_manager_other_than_the_booker(rworld):
    visit = book(rworld, at("2026-10-09", "18:00"))
    with pytest.raises(OutsideReceptionHours):
        services.visit_schedule(actor=rworld.bj_agent2, visit_id=visit.pk, now=NOW)
    own = book(rworld, at("2026-10-09", "18:30"), by=rworld.bj_super)
    with pytest.raises(SelfApprovalNotAllowed):
        services.visit_schedule(actor=rworld.bj_super, visit_id=own.pk, now=NOW)
    approved = services.visit_schedule(actor=rworld.bj_super, visit_id=visit.pk, now=NOW)
    assert approved.state == "scheduled" and approved.approved_by == rworld.bj_super
    assert [h.to_state for h in approved.history.all()] == ["requested", "scheduled"]


def test_visitor_request_inside_hours_is_confirmed_by_staff(rworld):
    visit = book(rworld, at("2026-10-09", "10:00"), requested_by_visitor=True)
    assert visit.state == "requested" and not visit.outside_hours
    assert services.visit_schedule(actor=rworld.bj_agent2, visit_id=visit.pk, now=NOW).state == "scheduled"


@pytest.mark.parametrize("field, value", [("expected_minutes", 0), ("expected_minutes", "x"),
                                          ("expected_minutes", 100000), ("scheduled_start", "next week"),
                                          ("scheduled_start", "2026-09-01T10:00"),
                                          ("visitor_name", ""), ("visitor_kind", "alien")])
def test_bad_booking_input_is_refused(rworld, field, value):
    values = {"visitor_kind": "prospect", "visitor_name": "李雷", "purpose": "洽谈", "expected_minutes": 30,
              "scheduled_start": at("2026-10-09", "10:00"), field: value}
    with pytest.raises(InvalidInput) as err:
        services.visit_book(actor=rworld.bj_agent, now=NOW, **values)
    assert err.value.field == field


def test_customer_visit_must_link_a_customer_in_scope(rworld):
    with pytest.raises(InvalidInput):
        book(rworld, at("2026-10-09", "10:00"), visitor_kind="customer")
    customer = rworld.enterprise()
    visit = book(rworld, at("2026-10-09", "10:00"), visitor_kind="customer", customer_id=customer.pk)
    assert visit.customer_id == customer.pk
    from kehu.core.errors import NotFound

    with pytest.raises(NotFound):
        book(rworld, at("2026-10-09", "10:00"), by=rworld.sh_agent, visitor_kind="customer", customer_id=customer.pk)
