"""Pure rules of the helpdesk: the complaint state machine and approval levels. No ORM."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from .models import State

S = State
COMPLAINT_TRANSITIONS: dict[str, set[str]] = {
    S.RECEIVED: {S.ACKNOWLEDGED},
    S.ACKNOWLEDGED: {S.INVESTIGATING},
    S.INVESTIGATING: {S.RESOLUTION_PROPOSED, S.EXTENDED_30},
    S.EXTENDED_30: {S.RESOLUTION_PROPOSED, S.EXTENDED_60},
    S.EXTENDED_60: {S.RESOLUTION_PROPOSED},
    S.RESOLUTION_PROPOSED: {S.APPROVED, S.INVESTIGATING},
    S.APPROVED: {S.COMMUNICATED},
    S.COMMUNICATED: {S.CLOSED},
    S.CLOSED: {S.REOPENED},
    S.REOPENED: {S.INVESTIGATING},
    S.WITHDRAWN: set(),
}
ONLINE_TRANSITIONS: dict[str, set[str]] = {  # spec S-13: first reply, then the full answer
    S.RECEIVED: {S.ACKNOWLEDGED},  # the first reply
    S.ACKNOWLEDGED: {S.COMMUNICATED},  # the full answer
    S.COMMUNICATED: {S.CLOSED},
    S.CLOSED: {S.REOPENED},
    S.REOPENED: {S.COMMUNICATED},
    S.WITHDRAWN: set(),
}
# Moves that settle an online conversation: refused while an escalation waits for the supervisor's decision.
ONLINE_SETTLING = {S.COMMUNICATED, S.CLOSED}
RETURN_TRANSITIONS: dict[str, set[str]] = {  # domain spec S-11
    S.RECEIVED: {S.AUTHORISED, S.REJECTED},
    S.AUTHORISED: {S.GOODS_RECEIVED},
    S.GOODS_RECEIVED: {S.INSPECTED},
    S.INSPECTED: {S.DISPOSITIONED},
    S.DISPOSITIONED: {S.CREDITED, S.CLOSED},  # a refund is credited first; rework/replace close directly
    S.CREDITED: {S.CLOSED},
    S.REJECTED: set(),
    S.CLOSED: set(),
    S.WITHDRAWN: set(),
}
REQUEST_TRANSITIONS: dict[str, set[str]] = {  # allowances
    S.RECEIVED: {S.APPROVED, S.REJECTED},
    S.APPROVED: {S.CLOSED},
    S.REJECTED: set(),
    S.CLOSED: set(),
    S.WITHDRAWN: set(),
}
TERMINAL = {S.CLOSED, S.WITHDRAWN, S.REJECTED}


def can_transition(kind: str, current: str, target: str) -> bool:
    if target == S.WITHDRAWN:
        return current not in TERMINAL
    return target in transitions_for(kind).get(current, set())


def transitions_for(kind: str) -> dict[str, set[str]]:
    if kind == "online":
        return ONLINE_TRANSITIONS
    if kind in ("complaint", "enquiry"):
        return COMPLAINT_TRANSITIONS
    return RETURN_TRANSITIONS if kind == "return" else REQUEST_TRANSITIONS


def awaiting_decision(escalated: bool, decided: bool) -> bool:
    return escalated and not decided


def return_next_after_disposition(disposition: str) -> str:
    """A refund needs a credit note before closing; rework and replacement close without one."""
    return S.CREDITED if disposition == "refund" else S.CLOSED


def return_approver_level(amount: Decimal, supervisor_limit: Decimal, gm_threshold: Decimal) -> str:
    """Who authorises a return of ``amount``: the service supervisor up to the supervisor limit, a finance
    officer up to the general-manager threshold, the general manager above it (domain spec S-11: large
    amounts need general-manager approval)."""
    if amount > gm_threshold:
        return "general_manager"
    if amount > supervisor_limit:
        return "finance_officer"
    return "service_supervisor"


def can_reopen(closed_at: datetime, now: datetime, reopen_days: int) -> bool:
    return now - closed_at <= timedelta(days=reopen_days)


def allowance_approver_role(amount: Decimal, invoice_amount: Decimal | None, supervisor_limit: Decimal,
                            max_percentage: Decimal) -> str:
    """Who may approve an allowance: the service supervisor up to the amount limit and percentage of the
    invoice, a finance officer above either."""
    if amount > supervisor_limit:
        return "finance_officer"
    if invoice_amount and invoice_amount > 0 and amount * 100 / invoice_amount > max_percentage:
        return "finance_officer"
    return "service_supervisor"


# --- SLA policy selection -------------------------------------------------------------------------
POLICY_CONDITIONS = ("kind", "priority", "customer_grade", "channel")


def policy_matches(policy, *, kind: str, priority: str, customer_grade: str, channel: str, customer_id: int) -> bool:
    """An empty condition matches anything; a set one must equal the ticket's value."""
    if not getattr(policy, "active", True):
        return False
    if policy.customer_id is not None and policy.customer_id != customer_id:
        return False
    values = {"kind": kind, "priority": priority, "customer_grade": customer_grade, "channel": channel}
    return all(not getattr(policy, c) or getattr(policy, c) == values[c] for c in POLICY_CONDITIONS)


def policy_specificity(policy) -> tuple:
    """Higher is more specific: a policy for one named customer beats any other; then the number of set
    conditions; on a tie type > priority > customer grade > channel; finally the older policy (lower id)."""
    set_flags = tuple(bool(getattr(policy, c)) for c in POLICY_CONDITIONS)
    return (policy.customer_id is not None, sum(set_flags), *set_flags, -(policy.pk or 0))


def select_policy(policies, *, kind: str, priority: str, customer_grade: str, channel: str, customer_id: int):
    """The most specific active policy matching the ticket, or None. The order of ``policies`` does not
    matter."""
    matching = [p for p in policies if policy_matches(p, kind=kind, priority=priority, customer_grade=customer_grade,
                                                      channel=channel, customer_id=customer_id)]
    return max(matching, key=policy_specificity, default=None)
