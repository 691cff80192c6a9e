"""Activities and follow-ups through the services, against a real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kehu.activities import rules, selectors, services
from kehu.activities.errors import StaleActivity, TaskClosed
from kehu.activities.events import ActivityEvent
from kehu.activities.models import FollowUpTask, TaskStatus
from kehu.core.calendar import BusinessCalendar, is_working_day
from kehu.core.errors import InvalidInput, NotFound, PermissionDenied
from kehu.core.models import AuditEvent, CalendarOverride

pytestmark = pytest.mark.django_db


def _next(weekday: int, today: date) -> date:
    """The next date after today falling on ``weekday`` (0 Monday .. 6 Sunday)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def test_logging_a_call_records_it_and_its_audit_row(world):
    customer = world.enterprise()
    activity = services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="call",
                                     summary="询问二季度订货计划", outcome="下周报价")
    assert activity.owner == world.bj_cm and activity.org_path == customer.org_path
    row = AuditEvent.objects.get(event_code=ActivityEvent.ACTIVITY_LOGGED, object_id=str(activity.pk))
    assert row.customer_id == customer.pk and row.new_values["summary"] == "询问二季度订货计划"


def test_a_follow_up_due_on_a_weekend_moves_to_the_next_working_day(world):
    customer = world.enterprise()
    today = timezone.localdate()
    saturday = _next(5, today)
    task = services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="寄送报价单",
                                assignee_id=world.bj_sales.pk, due_on=saturday)
    cal = BusinessCalendar()
    expected = saturday
    while not is_working_day(expected, cal):
        expected += timedelta(days=1)
    assert task.requested_due_on == saturday
    assert task.due_on == expected and task.due_on > saturday


def test_a_follow_up_due_on_a_holiday_moves_past_it(world):
    customer = world.enterprise()
    today = timezone.localdate()
    tuesday = _next(1, today)
    # A holiday of the branch's calendar (as the State Council's notice would add it) on Tuesday and Wednesday.
    CalendarOverride.objects.create(org_path="", day=tuesday, working=False, note="假日")
    CalendarOverride.objects.create(org_path="", day=tuesday + timedelta(days=1), working=False, note="假日")
    task = services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="回访", assignee_id=world.bj_sales.pk,
                                due_on=tuesday)
    assert task.due_on == tuesday + timedelta(days=2)


def test_the_rule_skips_national_day_on_chinas_calendar():
    cal = BusinessCalendar()
    assert rules.due_on_working_day(date(2026, 10, 1), lambda d: is_working_day(d, cal)) == date(2026, 10, 8)
    # 2026-10-10 is a Saturday made a working day (调休): a follow-up due then stays there.
    assert rules.due_on_working_day(date(2026, 10, 10), lambda d: is_working_day(d, cal)) == date(2026, 10, 10)


def test_a_follow_up_cannot_go_to_someone_outside_the_customers_scope(world):
    customer = world.enterprise()
    with pytest.raises(InvalidInput) as exc:
        services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="回访", assignee_id=world.sh_cm.pk,
                             due_on=timezone.localdate() + timedelta(days=3))
    assert exc.value.field == "assignee_id"
    assert not FollowUpTask.objects.exists()


def test_a_past_due_date_and_an_empty_summary_are_refused_and_nothing_is_written(world):
    customer = world.enterprise()
    with pytest.raises(InvalidInput):
        services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="call", summary="  ")
    with pytest.raises(InvalidInput):
        services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="call", summary="电话",
                              follow_up={"title": "回访", "assignee_id": world.bj_sales.pk,
                                         "due_on": timezone.localdate() - timedelta(days=1)})
    with pytest.raises(InvalidInput):
        services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="telegram", summary="电报")
    assert not customer.activities.exists() and not FollowUpTask.objects.exists()


def test_a_user_of_another_branch_cannot_log_or_read_activities(world):
    customer = world.enterprise()
    services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="visit", summary="拜访")
    with pytest.raises(NotFound):
        services.activity_log(actor=world.sh_cm, customer_id=customer.pk, kind="call", summary="电话")
    with pytest.raises(NotFound):
        selectors.activities_of(user=world.sh_cm, customer_id=customer.pk)


def test_the_auditor_reads_but_may_not_log(world):
    customer = world.enterprise()
    services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="visit", summary="拜访")
    assert len(selectors.activities_of(user=world.bj_auditor, customer_id=customer.pk)) == 1
    with pytest.raises(PermissionDenied):
        services.activity_log(actor=world.bj_auditor, customer_id=customer.pk, kind="call", summary="电话")


def test_reminders_show_due_and_overdue_follow_ups_until_done(world):
    customer = world.enterprise()
    today = timezone.localdate()
    due = services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="今天回访",
                               assignee_id=world.bj_sales.pk, due_on=today)
    later = services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="下月回访",
                                 assignee_id=world.bj_sales.pk, due_on=today + timedelta(days=40))
    assert [t.pk for t in selectors.reminders(user=world.bj_sales, today=due.due_on)] == [due.pk]
    # A week past the due date it is still there, marked overdue, and the manager sees it in the team list.
    week_later = due.due_on + timedelta(days=7)
    overdue = selectors.reminders(user=world.bj_sales, today=week_later)
    assert [(t.pk, t.state) for t in overdue] == [(due.pk, "overdue")]
    assert [t.pk for t in selectors.team_overdue(user=world.bj_office, today=week_later)] == [due.pk]
    assert selectors.team_overdue(user=world.sh_office, today=week_later) == []
    services.task_complete(actor=world.bj_sales, task_id=due.pk, note="已回访")
    assert selectors.reminders(user=world.bj_sales, today=week_later) == []
    assert FollowUpTask.objects.get(pk=due.pk).status == TaskStatus.DONE
    assert AuditEvent.objects.filter(event_code=ActivityEvent.TASK_DONE, object_id=str(due.pk)).count() == 1
    assert FollowUpTask.objects.get(pk=later.pk).status == TaskStatus.OPEN


def test_a_done_follow_up_cannot_be_closed_again(world):
    customer = world.enterprise()
    task = services.task_assign(actor=world.bj_cm, customer_id=customer.pk, title="回访", assignee_id=world.bj_cm.pk,
                                due_on=timezone.localdate() + timedelta(days=2))
    services.task_complete(actor=world.bj_cm, task_id=task.pk)
    with pytest.raises(TaskClosed):
        services.task_cancel(actor=world.bj_cm, task_id=task.pk, reason="重复")


def test_customers_without_contact_are_listed_by_their_grades_interval(world):
    stale = world.admit(world.enterprise())
    fresh = world.admit(world.enterprise())
    never = world.admit(world.enterprise())
    for c, grade in ((stale, "A"), (fresh, "A"), (never, "E")):
        type(c).objects.filter(pk=c.pk).update(grade=grade, created_at=timezone.now() - timedelta(days=400))
    services.activity_log(actor=world.bj_cm, customer_id=stale.pk, kind="call", summary="电话",
                          occurred_at=timezone.now() - timedelta(days=31))
    services.activity_log(actor=world.bj_cm, customer_id=fresh.pk, kind="call", summary="电话",
                          occurred_at=timezone.now() - timedelta(days=29))
    listed = {u.customer.pk: u for u in selectors.customers_without_contact(user=world.bj_office)}
    # Grade A: every 30 days (parameter). The never-contacted E customer counts from its creation.
    assert stale.pk in listed and listed[stale.pk].interval_days == 30 and listed[stale.pk].days_over == 1
    assert fresh.pk not in listed
    assert never.pk in listed and listed[never.pk].interval_days == 180
    assert selectors.customers_without_contact(user=world.sh_office) == []


def test_correcting_an_activity_audits_old_and_new_values_and_checks_the_version(world):
    customer = world.enterprise()
    activity = services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="call", summary="电话")
    services.activity_update(actor=world.bj_cm, activity_id=activity.pk, expected_version=1, summary="电话沟通价格")
    row = AuditEvent.objects.get(event_code=ActivityEvent.ACTIVITY_UPDATED)
    assert row.old_values == {"summary": "电话"} and row.new_values == {"summary": "电话沟通价格"}
    with pytest.raises(StaleActivity):
        services.activity_update(actor=world.bj_cm, activity_id=activity.pk, expected_version=1, summary="x")


def test_withdrawn_activities_disappear_from_the_list_but_stay_audited(world):
    customer = world.enterprise()
    activity = services.activity_log(actor=world.bj_cm, customer_id=customer.pk, kind="note", summary="记错了")
    services.activity_delete(actor=world.bj_cm, activity_id=activity.pk, reason="误录")
    assert selectors.activities_of(user=world.bj_cm, customer_id=customer.pk) == []
    assert AuditEvent.objects.filter(event_code=ActivityEvent.ACTIVITY_DELETED, reason="误录").exists()
