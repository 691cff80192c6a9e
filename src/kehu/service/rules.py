"""Pure rules of customer service (spec section 6): state machines, the regulatory clock, approval tiers.

No ORM and no clock: every time and every configured number is passed in by the caller, which reads the
numbers from the parameter registry (spec S-6, S-11, S-12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .calendar_rules import WorkCalendar, add_calendar_days


class IllegalTransition(ValueError):
    def __init__(self, machine: str, current: str, target: str):
        super().__init__(f"{machine}: {current} -> {target} is not allowed")
        self.machine, self.current, self.target = machine, current, target


# Complaint (spec 6.2). WITHDRAWN is reachable from every open state; CLOSED -> REOPENED within the window.
COMPLAINT_FLOW: dict[str, frozenset[str]] = {
    "RECEIVED": frozenset({"ACKNOWLEDGED", "WITHDRAWN"}),
    "ACKNOWLEDGED": frozenset({"INVESTIGATING", "WITHDRAWN"}),
    "INVESTIGATING": frozenset({"RESOLUTION_PROPOSED", "EXTENDED_30", "WITHDRAWN"}),
    "EXTENDED_30": frozenset({"RESOLUTION_PROPOSED", "EXTENDED_60", "WITHDRAWN"}),
    "EXTENDED_60": frozenset({"RESOLUTION_PROPOSED", "WITHDRAWN"}),
    "RESOLUTION_PROPOSED": frozenset({"APPROVED", "INVESTIGATING", "WITHDRAWN"}),
    "APPROVED": frozenset({"COMMUNICATED", "WITHDRAWN"}),
    "COMMUNICATED": frozenset({"CLOSED", "WITHDRAWN"}),
    "CLOSED": frozenset({"REOPENED"}),
    "REOPENED": frozenset({"INVESTIGATING", "WITHDRAWN"}),
    "WITHDRAWN": frozenset(),
}

# Returns (spec S-11).
RETURN_FLOW: dict[str, frozenset[str]] = {
    "REQUESTED": frozenset({"AUTHORISED", "REJECTED"}),
    "AUTHORISED": frozenset({"RECEIVED"}),
    "RECEIVED": frozenset({"INSPECTED"}),
    "INSPECTED": frozenset({"DISPOSITIONED"}),
    "DISPOSITIONED": frozenset({"CREDITED", "CLOSED"}),
    "CREDITED": frozenset({"CLOSED"}),
    "CLOSED": frozenset(),
    "REJECTED": frozenset(),
}

# Allowances (spec S-12): approval needs the buyer's evidence document first.
ALLOWANCE_FLOW: dict[str, frozenset[str]] = {
    "DRAFT": frozenset({"SUBMITTED", "CANCELLED"}),
    "SUBMITTED": frozenset({"APPROVED", "REJECTED"}),
    "APPROVED": frozenset(),
    "REJECTED": frozenset(),
    "CANCELLED": frozenset(),
}

MACHINES = {"complaint": COMPLAINT_FLOW, "return": RETURN_FLOW, "allowance": ALLOWANCE_FLOW}


def check_transition(machine: str, current: str, target: str) -> None:
    flow = MACHINES[machine]
    if current not in flow or target not in flow.get(current, ()):
        raise IllegalTransition(machine, current, target)


def may_reopen(closed_at: datetime, now: datetime, window_days: int) -> bool:
    return closed_at <= now <= closed_at + timedelta(days=window_days)


def handler_is_recused(handler_id: int | None, subject_employee_id: int | None) -> bool:
    """回避 (S-7): the handler may not be the employee the complaint is about."""
    return handler_id is not None and handler_id == subject_employee_id


@dataclass(frozen=True)
class RegulatoryClock:
    """Financial-consumer clock (S-6): simple 15 days, complex 30, particularly complex +30, at most 60."""

    simple_days: int
    complex_days: int
    extension_days: int
    max_days: int


def regulatory_due(cal: WorkCalendar, received_at: datetime, clock: RegulatoryClock, level: int) -> datetime:
    """level 0 = simple, 1 = EXTENDED_30 (complex), 2 = EXTENDED_60 (particularly complex)."""
    days = (clock.simple_days, clock.complex_days, clock.complex_days + clock.extension_days)[level]
    return add_calendar_days(cal, received_at, min(days, clock.max_days))


def withdrawal_end_date(received_on: date) -> date:
    """A withdrawal ends the procedure on the day it is received (S-7)."""
    return received_on


@dataclass(frozen=True)
class Tier:
    code: str
    max_pct: Decimal  # percent of the invoice
    max_amount: Decimal
    approver_roles: tuple[str, ...]


def allowance_tier(amount: Decimal, invoice_amount: Decimal, tiers: list[Tier], top: Tier) -> Tier:
    """The lowest tier whose percentage OR amount limit covers the allowance (S-12 says "≤ 1 % or ≤ ¥10k")."""
    if amount <= 0 or invoice_amount <= 0:
        raise ValueError("amounts must be positive")
    if amount > invoice_amount:
        raise ValueError("an allowance cannot exceed its invoice")
    pct = amount * 100 / invoice_amount
    for tier in tiers:
        if pct <= tier.max_pct or amount <= tier.max_amount:
            return tier
    return top


def return_needs_gm(amount: Decimal, gm_threshold: Decimal) -> bool:
    return amount > gm_threshold


def sla_warn_levels(elapsed_fraction: float, fractions: tuple[float, ...]) -> int:
    """How many warning thresholds the clock has passed (a breach is fraction >= 1)."""
    return sum(1 for f in fractions if elapsed_fraction >= f)


def policy_matches(conditions: dict, ticket: dict) -> bool:
    """An SLA policy applies when each of its conditions equals the ticket's value (empty = any)."""
    return all(ticket.get(k) == v for k, v in conditions.items() if v not in (None, ""))


def choose_policy(policies: list[tuple[int, dict, object]], ticket: dict):
    """policies: (priority, conditions, policy); the lowest priority number that matches wins."""
    for _prio, cond, policy in sorted(policies, key=lambda p: p[0]):
        if policy_matches(cond, ticket):
            return policy
    return None
