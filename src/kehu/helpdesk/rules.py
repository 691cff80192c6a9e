"""Pure rules of the helpdesk: the complaint state machine and approval levels. No ORM."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from kehu.helpdesk.models import State

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
    if kind in ("complaint", "enquiry", "dissatisfaction"):
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


# Who may authorise at each level of a return (S-11): the general manager (role general_manager) authorises
# every return; a finance officer those between the supervisor limit and the general-manager threshold; a
# service supervisor those up to the supervisor limit.
RETURN_LEVEL_ROLES: dict[str, tuple[str, ...]] = {
    "service_supervisor": ("service_supervisor", "general_manager"),
    "finance_officer": ("finance_officer", "general_manager"),
    "general_manager": ("general_manager",),
}


def holds_return_level(level: str, roles) -> bool:
    """Whether a holder of ``roles`` may authorise a return needing ``level``."""
    return any(r in roles for r in RETURN_LEVEL_ROLES[level])


def extension_limit_days(to: str, *, complex_days: int, extension_days: int, max_days: int) -> int:
    """Calendar days from receipt within which an extended complaint is decided (domain spec S-6): the first
    extension (a complex complaint) to ``complex_days`` in all; the second (particularly complex, senior
    approval) by another ``extension_days``, never beyond ``max_days`` from receipt."""
    if to == S.EXTENDED_30:
        return min(complex_days, max_days)
    if to == S.EXTENDED_60:
        return min(complex_days + extension_days, max_days)
    raise ValueError(to)


def extended_due(current, limit):
    """An extension never brings a due time forward: the later of the current due time and the limit."""
    if current is None:
        return limit
    return max(current, limit)


def can_reopen(closed_at: datetime, now: datetime, reopen_days: int) -> bool:
    return now - closed_at <= timedelta(days=reopen_days)


# --- Price allowances (domain spec S-12) -----------------------------------------------------------
# S-12: "<= 1 % of invoice or <= ¥10k -> sales manager; <= 5 % or <= ¥100k -> sales VP and finance;
# above that -> GM". Read literally, "or" would let a ¥9,000 allowance on a ¥10,000 invoice (90 per cent
# of it) pass with the sales manager alone, because it is under ¥10k. kehu takes the conservative reading a
# finance controller expects: an allowance belongs to the lowest band whose amount limit AND share limit
# it both stays within, so it moves up a band as soon as either the amount or the share is exceeded.
# Each band is an approval chain: it adds its approver to those of the band below, so a larger allowance
# never needs fewer sign-offs. kehu has no "sales VP" role: the sales manager (sales_manager) signs for
# sales and the finance manager (finance_manager) for finance.
ALLOWANCE_SIGN_OFFS: dict[int, tuple[str, ...]] = {
    1: ("sales_manager",),
    2: ("sales_manager", "finance_manager"),
    3: ("sales_manager", "finance_manager", "general_manager"),
}
TOP_BAND = max(ALLOWANCE_SIGN_OFFS)


def allowance_band(amount: Decimal, invoice_amount: Decimal | None,
                   bands: list[tuple[Decimal, Decimal]]) -> int:
    """Return the approval band (1-based) of an allowance of ``amount`` on an invoice of
    ``invoice_amount``: the first band ``(max_amount, max_percentage)`` whose limits it stays within, both
    inclusive; above every band, the top band (the general manager). Without a positive invoice amount the
    share cannot be measured, so only the top band is safe. The share is compared exactly
    (amount x 100 <= percentage x invoice), never through a rounded quotient."""
    if invoice_amount is None or invoice_amount <= 0:
        return TOP_BAND
    for index, (max_amount, max_percentage) in enumerate(bands, start=1):
        if amount <= max_amount and amount * 100 <= max_percentage * invoice_amount:
            return index
    return TOP_BAND


def allowance_sign_offs(band: int) -> tuple[str, ...]:
    """The roles that must each sign an allowance of ``band`` (one person per role)."""
    return ALLOWANCE_SIGN_OFFS[band]


def allowance_outstanding(required: tuple[str, ...] | list[str], signed_roles: list[str]) -> list[str]:
    """Required roles still without a sign-off, in chain order."""
    return [r for r in required if r not in signed_roles]


def allowance_signable_roles(*, required, sign_offs: list[dict], actor_id: int, actor_roles: set[str],
                             barred_ids: set[int]) -> list[str]:
    """The outstanding roles ``actor_id`` may sign now: none if the actor already signed (one person signs
    once, whatever roles they hold) or is barred (the requester, the handler, the staff member concerned)."""
    if actor_id in barred_ids or any(s["user"] == actor_id for s in sign_offs):
        return []
    return [r for r in allowance_outstanding(required, [s["role"] for s in sign_offs]) if r in actor_roles]


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


def due_status(*, remaining: timedelta, total: timedelta, warn_fraction: Decimal) -> str:
    """How close a ticket is to its time limit, for the list and the ticket page: "overdue" once no time
    is left, "near" once the used share of the clock reaches ``warn_fraction`` (the watcher's first warning
    fraction, ``service.sla_warn_fractions``), else "ok"."""
    if remaining <= timedelta(0):
        return "overdue"
    if total > timedelta(0) and Decimal(int((total - remaining).total_seconds())) >= \
            warn_fraction * Decimal(int(total.total_seconds())):
        return "near"
    return "ok"
