from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kehu.core.errors import InvalidInput, PermissionDenied
from kehu.core.models import AuditEvent
from kehu.service import services
from kehu.service.calendar_rules import add_working_hours, is_working_day
from kehu.service.errors import AlreadyRecorded
from kehu.service.events import ServiceEvent
from kehu.service.selectors import calendar_for, receivable_reduction_total

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_default_calendar_is_the_reception_policy(sworld):
    cal = calendar_for(org_path="/HQ/BJ/")
    assert add_working_hours(cal, datetime(2025, 9, 22, 11, tzinfo=SH), 2) == datetime(
        2025, 9, 22, 14, 30, tzinfo=SH
    )


def test_deepest_override_wins_and_is_audited(sworld):
    w = sworld
    services.calendar_override_set(
        actor=w.hq_svc_sup, day=date(2099, 6, 1), is_working=False, reason="holiday"
    )
    services.calendar_override_set(actor=w.bj_svc_sup, day=date(2099, 6, 1), is_working=True, org_code="BJ01")
    assert not is_working_day(calendar_for(org_path="/HQ/BJ/"), date(2099, 6, 1))
    assert not is_working_day(calendar_for(org_path="/HQ/SH/"), date(2099, 6, 1))
    assert is_working_day(calendar_for(org_path="/HQ/BJ/BJ01/"), date(2099, 6, 1))
    rows = AuditEvent.objects.filter(event_code=ServiceEvent.CALENDAR_OVERRIDE_SET).order_by("id")
    assert [r.actor_name for r in rows] == ["hq_svc_sup", "bj_svc_sup"]
    services.calendar_override_set(actor=w.hq_svc_sup, day=date(2099, 6, 1), is_working=True)
    last = AuditEvent.objects.filter(event_code=ServiceEvent.CALENDAR_OVERRIDE_SET).latest("id")
    assert last.old_values == {"is_working": False}
    assert is_working_day(calendar_for(org_path="/HQ/SH/"), date(2099, 6, 1))


def test_calendar_permissions_and_scope(sworld):
    w = sworld
    for user in (w.bj_agent, w.bj_cm, w.hq_auditor, w.admin):
        with pytest.raises(PermissionDenied):
            services.calendar_override_set(actor=user, day=date(2099, 6, 1), is_working=False)
    with pytest.raises(PermissionDenied):  # a branch supervisor cannot change another branch or the whole org
        services.calendar_override_set(
            actor=w.bj_svc_sup, day=date(2099, 6, 1), is_working=False, org_code="SH"
        )
    with pytest.raises(PermissionDenied):
        services.calendar_override_set(actor=w.bj_svc_sup, day=date(2099, 6, 1), is_working=False)
    assert not AuditEvent.objects.filter(event_code=ServiceEvent.CALENDAR_OVERRIDE_SET).exists()


def test_working_hours_per_unit(sworld):
    w = sworld
    services.working_hours_set(actor=w.bj_svc_sup, org_code="BJ", sessions=[["09:00", "18:00"]])
    cal = calendar_for(org_path="/HQ/BJ/BJ01/")
    assert add_working_hours(cal, datetime(2025, 9, 22, 17, tzinfo=SH), 2) == datetime(
        2025, 9, 23, 10, tzinfo=SH
    )
    assert calendar_for(org_path="/HQ/SH/").sessions[0][0].hour == 8
    assert AuditEvent.objects.filter(event_code=ServiceEvent.WORKING_HOURS_SET).count() == 1
    for bad in (
        [["12:00", "09:00"]],
        [["09:00", "12:00"], ["11:00", "13:00"]],
        [["x", "y"]],
        [],
        [["09:00"]],
    ):
        with pytest.raises(InvalidInput):
            services.working_hours_set(actor=w.bj_svc_sup, org_code="BJ", sessions=bad)


def test_receivable_reductions_feed_the_total(sworld):
    w = sworld
    customer = w.admit(w.enterprise())
    assert receivable_reduction_total(customer_id=customer.pk) == Decimal("0.00")
    services.receivable_reduce(
        actor=w.hq_svc_sup,
        customer_id=customer.pk,
        amount="1200.50",
        currency="CNY",
        effective_on=date(2025, 10, 9),
        source="allowance",
        source_ref="AL-1",
    )
    services.receivable_reduce(
        actor=w.hq_svc_sup,
        customer_id=customer.pk,
        amount="300",
        currency="CNY",
        effective_on=date(2025, 11, 1),
        source="credit_note",
        source_ref="RT-1",
    )
    assert receivable_reduction_total(customer_id=customer.pk) == Decimal("1500.50")
    assert receivable_reduction_total(customer_id=customer.pk, until=date(2025, 10, 31)) == Decimal("1200.50")
    with pytest.raises(AlreadyRecorded):
        services.receivable_reduce(
            actor=w.hq_svc_sup,
            customer_id=customer.pk,
            amount="1",
            currency="CNY",
            effective_on=date(2025, 10, 9),
            source="allowance",
            source_ref="AL-1",
        )
    for bad in ("0", "-5", "1.234", 1.5, None):
        with pytest.raises(InvalidInput):
            services.receivable_reduce(
                actor=w.hq_svc_sup,
                customer_id=customer.pk,
                amount=bad,
                currency="CNY",
                effective_on=date(2025, 10, 9),
                source="allowance",
                source_ref="AL-9",
            )
    with pytest.raises(InvalidInput):
        services.receivable_reduce(
            actor=w.hq_svc_sup,
            customer_id=customer.pk,
            amount="1",
            currency="CNY",
            effective_on=date(2025, 10, 9),
            source="gift",
            source_ref="X",
        )
    rows = AuditEvent.objects.filter(event_code=ServiceEvent.RECEIVABLE_REDUCED, customer_id=customer.pk)
    assert rows.count() == 2
    assert rows.order_by("id").first().new_values["amount"] == "1200.50"
