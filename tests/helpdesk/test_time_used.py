"""Working time used on a ticket: lunch breaks, weekends, the National Day holiday (with its make-up
Saturday) and pauses never count. Pure function tables and properties, then the services and the
second extension's approval (S-6)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.core import services as core_services
from kehu.core.calendar import (
    SHANGHAI,
    BusinessCalendar,
    format_duration,
    working_time_between,
    working_time_used,
)
from kehu.core.errors import InvalidInput, InvalidTransition, PermissionDenied, SelfApprovalNotAllowed
from kehu.helpdesk import services
from kehu.helpdesk.models import State

CAL = BusinessCalendar()
H = timedelta(hours=1)


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.parametrize("start, end, pauses, hours", [
    (at(2025, 9, 26, 11, 0), at(2025, 9, 26, 14, 0), [], 1.5),            # lunch 12:00-13:30 not counted
    (at(2025, 11, 14, 17, 0), at(2025, 11, 17, 9, 0), [], 1),             # weekend not counted
    # Tue Sep 30 11:00 to the make-up Saturday Oct 11 12:00: 5 + 7.5 (Oct 9) + 7.5 (Oct 10) + 3.5 = 23.5 h;
    # National Day Oct 1-8 does not count, the make-up Saturday does
    (at(2025, 9, 30, 11, 0), at(2025, 10, 11, 12, 0), [], 23.5),
    (at(2025, 9, 30, 11, 0), at(2025, 10, 11, 12, 0), [(at(2025, 10, 9, 8, 30), at(2025, 10, 9, 17, 30))], 16),
    # overlapping pauses are taken off once; a pause during the holiday takes nothing off
    (at(2025, 9, 30, 11, 0), at(2025, 10, 11, 12, 0), [(at(2025, 10, 9, 8, 0), at(2025, 10, 9, 12, 0)),
                                                        (at(2025, 10, 9, 10, 0), at(2025, 10, 9, 18, 0)),
                                                        (at(2025, 10, 2), at(2025, 10, 5))], 16),
    (at(2025, 12, 31, 16, 0), at(2026, 1, 5, 9, 30), [], 1.5 + 7.5 + 1),  # year end: Jan 1-3 off, Jan 4 make-up
    (at(2025, 9, 26, 10, 0), at(2025, 9, 26, 9, 0), [], 0),               # end before start
])
def test_time_used_table(start, end, pauses, hours):
    assert working_time_used(start, end, pauses, CAL) == timedelta(hours=hours)


moments = st.datetimes(min_value=datetime(2024, 12, 20), max_value=datetime(2026, 1, 10)).map(  # noqa: DTZ001 - Hypothesis bounds are naive
    lambda d: d.replace(second=0, microsecond=0, tzinfo=SHANGHAI))


@settings(max_examples=200, deadline=None)
@given(moments, moments, st.lists(st.tuples(moments, moments), max_size=4))
def test_time_used_properties(a, b, raw_pauses):
    start, end = min(a, b), max(a, b)
    pauses = [(min(p), max(p)) for p in raw_pauses]
    used = working_time_used(start, end, pauses, CAL)
    total = working_time_between(start, end, CAL)
    assert timedelta(0) <= used <= total
    assert working_time_used(start, end, [], CAL) == total
    assert working_time_used(start, end, [(start, end)], CAL) == timedelta(0)
    # pauses outside the interval change nothing; each pause takes off at most its own working time
    assert working_time_used(start, end, [(end, end + timedelta(days=3))], CAL) == total
    assert total - used <= sum((working_time_between(p, q, CAL) for p, q in pauses), timedelta(0))


@pytest.mark.parametrize("td, text", [(timedelta(hours=23, minutes=30), "23:30"), (timedelta(0), "0:00"),
                                      (timedelta(hours=-1, minutes=-5), "-1:05"), (timedelta(hours=30), "30:00")])
def test_format_duration(td, text):
    assert format_duration(td) == text


@pytest.mark.django_db
def test_pauses_are_kept_and_not_counted(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s",
                             now=at(2025, 9, 30, 11, 0))
    services.ticket_pause(actor=w.bj_agent, ticket_id=t.pk, reason="等待客户提供样品", now=at(2025, 10, 9, 8, 30))
    t = services.ticket_resume(actor=w.bj_agent, ticket_id=t.pk, now=at(2025, 10, 9, 17, 30))
    assert len(t.data["pauses"]) == 1
    assert services.time_used(t, now=at(2025, 10, 11, 12, 0)) == timedelta(hours=16)
    services.ticket_pause(actor=w.bj_agent, ticket_id=t.pk, reason="again", now=at(2025, 10, 10, 8, 30))
    t.refresh_from_db()
    assert services.time_used(t, now=at(2025, 10, 11, 12, 0)) == timedelta(hours=5)  # running pause counts


@pytest.mark.django_db
def test_second_extension_needs_a_higher_level(hworld):
    w = hworld
    hq = core_services.user_create(username="hq_super", org_code="HQ", roles=["service_supervisor"],
                                   password="Kehu-test-2026", actor=None)
    now = at(2025, 11, 3, 7, 30).astimezone(UTC)  # 2 Nov in UTC, as timezone.now() gives it
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s",
                             financial_consumer=True, now=now)
    due = t.regulatory_due
    for to in ("acknowledged", "investigating"):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to, now=now)
    with pytest.raises(InvalidTransition):  # the first extension comes first
        services.ticket_request_extension(actor=w.bj_agent, ticket_id=t.pk, reason="复杂")
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="extended_30", reason="需检测", now=now)
    with pytest.raises(InvalidInput):  # not by a plain transition
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="extended_60", reason="x", now=now)
    with pytest.raises(InvalidTransition):
        services.ticket_decide_extension(actor=hq, ticket_id=t.pk)
    services.ticket_request_extension(actor=w.bj_agent, ticket_id=t.pk, reason="特别复杂，需第三方鉴定", now=now)
    with pytest.raises(InvalidTransition):  # one request at a time
        services.ticket_request_extension(actor=w.bj_agent, ticket_id=t.pk, reason="again")
    with pytest.raises(PermissionDenied):  # the branch's own supervisor is not a higher level
        services.ticket_decide_extension(actor=w.bj_super, ticket_id=t.pk)
    with pytest.raises(PermissionDenied):
        services.ticket_decide_extension(actor=w.bj_agent2, ticket_id=t.pk)
    t = services.ticket_decide_extension(actor=hq, ticket_id=t.pk, now=now)
    assert t.state == State.EXTENDED_60 and "extension_request" not in t.data
    # S-6: 15 days, a complex one 30 in all, a particularly complex one another 30: 60 days at most from receipt
    assert due == datetime(2025, 11, 18, 23, 59, 59, tzinfo=SHANGHAI)
    assert t.regulatory_due == datetime(2026, 1, 2, 23, 59, 59, tzinfo=SHANGHAI) == due + timedelta(days=45)
    assert t.resolution_due == t.regulatory_due
    # the notices carry the date in Shanghai, not the UTC date of the moment
    assert [n["date"] for n in t.data["notices"]] == ["2025-11-03", "2025-11-03"]
    assert [n["to"] for n in t.data["notices"]] == ["extended_30", "extended_60"]
    assert t.data["notices"][-1]["approved_by"] == hq.pk


@pytest.mark.django_db
def test_refused_extension_and_no_self_approval(hworld):
    w = hworld
    hq = core_services.user_create(username="hq_super", org_code="HQ", roles=["service_supervisor"],
                                   password="Kehu-test-2026", actor=None)
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="complaint", subject="s")
    for to in ("acknowledged", "investigating"):
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to=to)
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="extended_30", reason="r")
    services.ticket_request_extension(actor=w.bj_agent, ticket_id=t.pk, reason="r")
    t = services.ticket_decide_extension(actor=hq, ticket_id=t.pk, approve=False, reason="证据已足")
    assert t.state == State.EXTENDED_30 and "extension_request" not in t.data
    hq_made = services.ticket_open(actor=hq, customer_id=w.enterprise().pk, kind="complaint", subject="s")
    for to in ("acknowledged", "investigating"):
        services.ticket_transition(actor=hq, ticket_id=hq_made.pk, to=to)
    services.ticket_transition(actor=hq, ticket_id=hq_made.pk, to="extended_30", reason="r")
    services.ticket_request_extension(actor=hq, ticket_id=hq_made.pk, reason="r")
    with pytest.raises(SelfApprovalNotAllowed):
        services.ticket_decide_extension(actor=hq, ticket_id=hq_made.pk)
