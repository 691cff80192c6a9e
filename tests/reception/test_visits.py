"""The visit flow (V-4) with its history, the VIP checklist (V-5), confidential notes (S2 §4(4)), the desk
for the day with overstays, the 180-day deletion (V-9) and the safety checks (V-7)."""

from datetime import timedelta

import pytest
from django.core import mail

from kehu.core.errors import InvalidTransition, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.reception import selectors, services
from kehu.reception.errors import ChecklistIncomplete
from kehu.reception.models import Visit

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def book(world, start=None, **kw):
    values = {"visitor_kind": "partner", "visitor_name": "韩梅梅", "purpose": "技术交流",
              "scheduled_start": start or at("2026-10-09", "10:00"), "expected_minutes": 60,
              "visitor_organisation": "星河物流"}
    values.update(kw)
    return services.visit_book(actor=world.bj_agent, now=NOW, **values)


def test_flow_from_booking_to_check_out_with_history(rworld):
    visit = book(rworld)
    t = at("2026-10-09", "09:58")
    services.visit_check_in(actor=rworld.bj_agent2, visit_id=visit.pk, expected_minutes=90, now=t)
    services.visit_transition(actor=rworld.bj_agent2, visit_id=visit.pk, to="in_meeting", now=t + timedelta(minutes=5))
    with pytest.raises(InvalidTransition):
        services.visit_transition(actor=rworld.bj_agent2, visit_id=visit.pk, to="no_show", now=t)
    services.visit_transition(actor=rworld.bj_agent2, visit_id=visit.pk, to="checked_out", now=t + timedelta(hours=1))
    visit.refresh_from_db()
    assert visit.state == "checked_out" and visit.reception_user == rworld.bj_agent2
    assert visit.expected_minutes == 90 and visit.checked_out_at == t + timedelta(hours=1)
    assert [(h.from_state, h.to_state) for h in visit.history.all()] == [
        ("", "scheduled"), ("scheduled", "checked_in"), ("checked_in", "in_meeting"), ("in_meeting", "checked_out")]
    assert AuditEvent.objects.filter(object_type="reception.visit", object_id=str(visit.pk)).count() == 4


def test_vip_checklist_must_be_complete_before_check_out(rworld):
    visit = book(rworld, vip=True)
    services.visit_check_in(actor=rworld.bj_agent, visit_id=visit.pk, now=NOW)
    services.visit_tick(actor=rworld.bj_agent, visit_id=visit.pk, item="escort", now=NOW)
    with pytest.raises(ChecklistIncomplete) as err:
        services.visit_transition(actor=rworld.bj_agent, visit_id=visit.pk, to="checked_out", now=NOW)
    assert err.value.params["problems"] == ["refreshments", "senior_greeting"]
    services.visit_tick(actor=rworld.bj_agent, visit_id=visit.pk, item="refreshments", now=NOW)
    services.visit_tick(actor=rworld.bj_agent, visit_id=visit.pk, item="senior_greeting", now=NOW)
    assert services.visit_transition(actor=rworld.bj_agent, visit_id=visit.pk, to="checked_out",
                                     now=NOW).state == "checked_out"


def test_confidential_notes_only_for_host_reception_and_managers(rworld):
    visit = book(rworld, confidential=True)
    services.visit_check_in(actor=rworld.bj_agent, visit_id=visit.pk, now=NOW)  # bj_agent: host and reception
    services.visit_notes_set(actor=rworld.bj_agent, visit_id=visit.pk, notes="报价底线 95 折")
    visit.refresh_from_db()
    assert selectors.notes_visible(rworld.bj_agent, visit)
    assert selectors.notes_visible(rworld.bj_super, visit)
    assert not selectors.notes_visible(rworld.bj_agent2, visit)
    with pytest.raises(PermissionDenied):
        services.visit_notes_set(actor=rworld.bj_agent2, visit_id=visit.pk, notes="x")
    audit = AuditEvent.objects.get(object_type="reception.visit", event_code=7705)
    assert "报价" not in str(audit.new_values)  # the trade secret is not copied into the audit log
    open_visit = book(rworld)
    assert selectors.notes_visible(rworld.bj_agent2, open_visit)


def test_desk_shows_expected_inside_and_overstayed(rworld):
    early = book(rworld, at("2026-10-09", "09:00"), expected_minutes=30)
    later = book(rworld, at("2026-10-09", "14:00"), vip=True)
    services.visit_check_in(actor=rworld.bj_agent, visit_id=early.pk, now=at("2026-10-09", "09:00"))
    day = at("2026-10-09", "09:00").date()
    # expected end 09:30, grace 15 minutes: an overstay from 09:45
    desk = selectors.desk_day(user=rworld.bj_agent, day=day, now=at("2026-10-09", "09:45"))
    assert [v.pk for v in desk["inside"]] == [early.pk] and desk["overstayed"] == []
    desk = selectors.desk_day(user=rworld.bj_agent, day=day, now=at("2026-10-09", "09:46"))
    assert [v.pk for v in desk["overstayed"]] == [early.pk]
    assert [v.pk for v in desk["expected"]] == [later.pk]
    assert selectors.desk_day(user=rworld.sh_agent, day=day, now=at("2026-10-09", "09:46"))["inside"] == []


def test_registration_deleted_after_180_days_unless_linked_to_a_customer(rworld):
    customer = rworld.enterprise()
    loose = book(rworld, at("2026-10-09", "10:00"), visitor_phone="13900139000")
    linked = book(rworld, at("2026-10-09", "10:00"), visitor_kind="customer", customer_id=customer.pk)
    waiting = book(rworld, at("2026-10-09", "11:00"))  # never finished: kept
    for v in (loose, linked):
        services.visit_check_in(actor=rworld.bj_agent, visit_id=v.pk, now=at("2026-10-09", "10:00"))
        services.visit_transition(actor=rworld.bj_agent, visit_id=v.pk, to="checked_out", now=at("2026-10-09", "11:00"))
    assert services.visits_purge(now=at("2027-04-07", "10:00")) == {"purged": 0}  # 180 days after: still kept
    assert services.visits_purge(now=at("2027-04-08", "02:30")) == {"purged": 1}
    loose.refresh_from_db()
    linked.refresh_from_db()
    assert (loose.visitor_name, loose.visitor_phone, loose.visitor_organisation) == ("", "", "")
    assert loose.purged_at is not None and loose.purpose == "技术交流"  # the visit itself stays for statistics
    assert linked.visitor_name == "韩梅梅" and linked.purged_at is None
    assert Visit.objects.get(pk=waiting.pk).visitor_name == "韩梅梅"
    assert services.visits_purge(now=at("2027-04-09", "02:30")) == {"purged": 0}  # idempotent


def test_safety_check_overdue_alerts_once_then_resets_when_recorded(rworld, django_capture_on_commit_callbacks):
    item = services.safety_item_create(actor=rworld.bj_agent, name="消防器材检查", first_due_on="2026-10-31",
                                       now=NOW)
    assert item.interval_months == 1  # the parameter's default (V-7: monthly)
    assert services.safety_overdue_scan(now=at("2026-10-31", "23:00")) == {"alerted": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.safety_overdue_scan(now=at("2026-11-01", "07:00")) == {"alerted": 1}
    assert [m.to for m in mail.outbox] == [["bj_agent@example.cn"]]
    assert services.safety_overdue_scan(now=at("2026-11-02", "07:00")) == {"alerted": 0}  # once per due date
    services.safety_check_record(actor=rworld.bj_agent, item_id=item.pk, done_on="2026-11-02", passed=True,
                                 now=at("2026-11-02", "10:00"))
    item.refresh_from_db()
    assert str(item.next_due_on) == "2026-12-02" and item.alerted_for is None
    assert services.safety_overdue_scan(now=at("2026-12-03", "07:00")) == {"alerted": 1}


def test_month_end_recurrence():
    from datetime import date

    from kehu.reception.rules import add_months

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
