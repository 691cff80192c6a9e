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
REQUEST_TRANSITIONS: dict[str, set[str]] = {  # returns and allowances
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
    table = COMPLAINT_TRANSITIONS if kind in ("complaint", "enquiry", "online") else REQUEST_TRANSITIONS
    return target in table.get(current, set())


def can_reopen(closed_at: datetime, now: datetime, reopen_days: int) -> bool:
    return now - closed_at <= timedelta(days=reopen_days)


def allowance_approver_role(amount: Decimal, invoice_amount: Decimal | None, supervisor_limit: Decimal,
                            max_percentage: Decimal = Decimal("10")) -> str:
    """Who may approve an allowance: the service supervisor up to the amount limit and percentage of the
    invoice, a finance officer above either."""
    if amount > supervisor_limit:
        return "finance_officer"
    if invoice_amount and invoice_amount > 0 and amount * 100 / invoice_amount > max_percentage:
        return "finance_officer"
    return "service_supervisor"
