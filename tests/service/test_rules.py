from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.service.calendar_rules import WorkCalendar
from kehu.service.rules import (
    ALLOWANCE_FLOW,
    COMPLAINT_FLOW,
    MACHINES,
    RETURN_FLOW,
    IllegalTransition,
    RegulatoryClock,
    Tier,
    allowance_tier,
    check_transition,
    choose_policy,
    handler_is_recused,
    may_reopen,
    regulatory_due,
    return_needs_gm,
    sla_warn_levels,
    withdrawal_end_date,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def test_complaint_happy_path_and_extensions():
    path = [
        "RECEIVED",
        "ACKNOWLEDGED",
        "INVESTIGATING",
        "EXTENDED_30",
        "EXTENDED_60",
        "RESOLUTION_PROPOSED",
        "APPROVED",
        "COMMUNICATED",
        "CLOSED",
        "REOPENED",
        "INVESTIGATING",
    ]
    for a, b in zip(path, path[1:], strict=False):
        check_transition("complaint", a, b)


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_every_transition_not_listed_is_illegal(machine):
    flow = MACHINES[machine]
    states = sorted(flow)
    illegal = [(a, b) for a in states for b in states if b not in flow[a]]
    assert illegal
    for a, b in illegal:
        with pytest.raises(IllegalTransition):
            check_transition(machine, a, b)
    with pytest.raises(IllegalTransition):
        check_transition(machine, "NO_SUCH_STATE", states[0])


def test_specific_illegal_transitions():
    for a, b in [
        ("RECEIVED", "CLOSED"),
        ("EXTENDED_60", "EXTENDED_30"),
        ("INVESTIGATING", "EXTENDED_60"),
        ("WITHDRAWN", "RECEIVED"),
        ("CLOSED", "WITHDRAWN"),
    ]:
        with pytest.raises(IllegalTransition):
            check_transition("complaint", a, b)
    with pytest.raises(IllegalTransition):
        check_transition("return", "REQUESTED", "CREDITED")
    with pytest.raises(IllegalTransition):
        check_transition("allowance", "DRAFT", "APPROVED")
    assert all("WITHDRAWN" in COMPLAINT_FLOW[s] for s in COMPLAINT_FLOW if s not in ("CLOSED", "WITHDRAWN"))
    assert RETURN_FLOW["CLOSED"] == ALLOWANCE_FLOW["APPROVED"] == frozenset()


def test_reopen_window_recusal_withdrawal():
    closed = datetime(2025, 3, 1, 10, tzinfo=SH)
    assert may_reopen(closed, closed + timedelta(days=30), 30)
    assert not may_reopen(closed, closed + timedelta(days=30, seconds=1), 30)
    assert handler_is_recused(7, 7) and not handler_is_recused(7, 8) and not handler_is_recused(None, None)
    assert withdrawal_end_date(date(2025, 3, 4)) == date(2025, 3, 4)


def test_regulatory_clock_15_30_60_calendar_days():
    clock = RegulatoryClock(15, 30, 30, 60)
    received = datetime(2025, 9, 20, 16, tzinfo=SH)
    assert regulatory_due(CAL, received, clock, 0) == datetime(2025, 10, 6, tzinfo=SH)  # holidays count
    assert regulatory_due(CAL, received, clock, 1) == datetime(2025, 10, 21, tzinfo=SH)
    assert regulatory_due(CAL, received, clock, 2) == datetime(2025, 11, 20, tzinfo=SH)
    capped = RegulatoryClock(15, 30, 45, 60)
    assert regulatory_due(CAL, received, capped, 2) == datetime(2025, 11, 20, tzinfo=SH)


TIERS = [
    Tier("sales_manager", Decimal("1"), Decimal("10000"), ("customer_manager",)),
    Tier("sales_vp_finance", Decimal("5"), Decimal("100000"), ("service_supervisor", "finance_officer")),
]
TOP = Tier("gm", Decimal("100"), Decimal("0"), ("committee",))


@pytest.mark.parametrize(
    "amount,invoice,code",
    [
        ("10000", "10000000", "sales_manager"),  # 0.1 %
        ("9999", "20000", "sales_manager"),  # 50 % but under 10k: "or"
        ("20000", "1000000", "sales_vp_finance"),  # 2 %
        ("100000", "1000000", "sales_vp_finance"),  # 10 % but at 100k
        ("150000", "1000000", "gm"),  # 15 % and over 100k
        ("500000", "20000000", "sales_vp_finance"),  # 2.5 % though large
    ],
)
def test_allowance_tiers(amount, invoice, code):
    assert allowance_tier(Decimal(amount), Decimal(invoice), TIERS, TOP).code == code


def test_allowance_bad_amounts_and_gm_returns():
    for a, i in [("0", "10"), ("-1", "10"), ("11", "10"), ("1", "0")]:
        with pytest.raises(ValueError):
            allowance_tier(Decimal(a), Decimal(i), TIERS, TOP)
    assert return_needs_gm(Decimal("50000.01"), Decimal("50000"))
    assert not return_needs_gm(Decimal("50000"), Decimal("50000"))


@given(
    st.decimals(min_value="0.01", max_value="1000000", places=2),
    st.decimals(min_value="1", max_value="1000000", places=2),
)
def test_a_bigger_allowance_never_needs_a_lower_tier(a, b):
    small, big = sorted([a, b])
    invoice = Decimal("1000000")
    order = [t.code for t in TIERS] + [TOP.code]
    assert order.index(allowance_tier(small, invoice, TIERS, TOP).code) <= order.index(
        allowance_tier(big, invoice, TIERS, TOP).code
    )


def test_warn_levels_and_policy_choice():
    assert sla_warn_levels(0.49, (0.5, 0.8)) == 0
    assert sla_warn_levels(0.5, (0.5, 0.8)) == 1
    assert sla_warn_levels(0.95, (0.5, 0.8)) == 2
    policies = [
        (20, {"kind": "complaint"}, "generic"),
        (10, {"kind": "complaint", "profile": "FI"}, "fi"),
        (99, {}, "fallback"),
    ]
    assert choose_policy(policies, {"kind": "complaint", "profile": "FI"}) == "fi"
    assert choose_policy(policies, {"kind": "complaint", "profile": "ENT"}) == "generic"
    assert choose_policy(policies, {"kind": "enquiry"}) == "fallback"
    assert choose_policy(policies[:2], {"kind": "enquiry"}) is None
