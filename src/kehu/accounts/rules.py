"""Pure rules of personal account tiers: buckets, counters, limits, the Class III ¥50,000 trigger.

No ORM and no clock: times, counters and limits are passed in. Amounts are integer fen. The same
definitions are applied one transaction at a time (``check``, used by the posting service) and in SQL by
the ingest (``kehu.accounts.ingest``); the tests hold the two to the same results.

Sources: 银发〔2016〕302号 (tiers, Class II limits, Class III inflow limits), 银发〔2018〕16号 (Class III
balance ¥2,000, out ¥2,000/day and ¥50,000/year; 一(五) the ¥50,000 two-way trigger), domain spec 5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Domain spec 5.3: each type has one direction.
DIRECTION_OF = {
    "inbound_nonbound": "in",
    "cash_deposit": "in",
    "consumption_payment": "out",
    "outbound_nonbound": "out",
    "cash_withdrawal": "out",
    "bound_in": "in",
    "bound_out": "out",
    "wealth_buy": "out",
    "wealth_redeem": "in",
    "loan_disburse": "in",
    "loan_repay": "out",
}
CASH_TYPES = frozenset({"cash_deposit", "cash_withdrawal"})

# The limited buckets per tier (302号 as summarised in domain spec 5.1). Every other type is exempt from
# the counters: bound-account transfers, wealth products, the bank's own loans (and, for Class III, loan
# repayment is exempt from OUT by 16号). Class III takes no cash at all, so cash is no bucket there but a
# rule of its own (class3_cash).
BUCKETS = {
    "II": {"inbound_nonbound": "in", "cash_deposit": "in",
           "consumption_payment": "out", "outbound_nonbound": "out", "cash_withdrawal": "out"},
    "III": {"inbound_nonbound": "in", "consumption_payment": "out", "outbound_nonbound": "out"},
}

RULES = (
    "class2_in_day", "class2_in_year", "class2_out_day", "class2_out_year", "class2_cash_without_f2f",
    "class3_balance", "class3_out_day", "class3_out_year", "class3_in_day", "class3_in_year", "class3_cash",
)


def bucket_of(tier: str, txn_type: str) -> str:
    """'in' or 'out' when the type counts toward the tier's limits, '' when exempt or unlimited."""
    return BUCKETS.get(tier, {}).get(txn_type, "")


def local_day(moment: datetime) -> date:
    """The day of ``moment`` on the Asia/Shanghai calendar (counters reset at 00:00 there, A-8)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(SHANGHAI).date()


_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")


def amount_to_fen(value: str | Decimal) -> int:
    """A positive amount written as digits with at most two decimals (no sign, no exponent), as fen;
    ValueError otherwise."""
    text = str(value).strip()
    if not _AMOUNT.fullmatch(text) or not text.isascii():
        raise ValueError("not a plain positive amount")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite() or number <= 0:
        raise ValueError("not positive")
    fen = number * 100
    if fen != fen.to_integral_value():
        raise ValueError("more than two decimals")
    return int(fen)


def fen_to_amount(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Limits:
    """The limits in force on one day (fen), each from a dated parameter (``params.py``)."""

    class2_in_day: int
    class2_in_year: int
    class2_out_day: int
    class2_out_year: int
    class3_balance: int
    class3_out_day: int
    class3_out_year: int
    class3_in_day: int
    class3_in_year: int


@dataclass(frozen=True)
class Counters:
    """What the account has used before the transaction: its bucket's day and year, and the balance."""

    day: int = 0
    year: int = 0
    balance: int = 0


@dataclass(frozen=True)
class Violation:
    rule: str
    limit: int | None  # fen; None for a rule without an amount (cash)
    used: int  # fen, before the transaction
    remaining: int | None  # fen of room left before the transaction

    @property
    def remaining_amount(self) -> Decimal | None:
        return None if self.remaining is None else fen_to_amount(self.remaining)


def check(*, tier: str, txn_type: str, amount: int, face_to_face: bool, counters: Counters,
          limits: Limits) -> list[Violation]:
    """The rules this transaction breaks, given the account's counters before it. Empty: allowed.

    A counter is broken when the transaction takes it *past* its limit: reaching it exactly is allowed.
    """
    if amount <= 0:
        raise ValueError("amount must be positive")
    direction = DIRECTION_OF[txn_type]
    out: list[Violation] = []
    if tier == "II":
        if txn_type in CASH_TYPES and not face_to_face:
            # 302号: cash on a Class II account only after face-to-face identity confirmation.
            out.append(Violation("class2_cash_without_f2f", None, 0, None))
        bucket = bucket_of(tier, txn_type)
        if bucket:
            out += _counter_violations("class2_" + bucket, amount, counters, limits)
    elif tier == "III":
        if txn_type in CASH_TYPES:
            out.append(Violation("class3_cash", None, 0, None))
        if direction == "in" and counters.balance + amount > limits.class3_balance:
            out.append(Violation("class3_balance", limits.class3_balance, counters.balance,
                                 max(0, limits.class3_balance - counters.balance)))
        bucket = bucket_of(tier, txn_type)
        if bucket:
            out += _counter_violations("class3_" + bucket, amount, counters, limits)
    return out


def _counter_violations(prefix: str, amount: int, counters: Counters, limits: Limits) -> list[Violation]:
    out = []
    for period, used in (("day", counters.day), ("year", counters.year)):
        rule = f"{prefix}_{period}"
        limit = getattr(limits, rule)
        if used + amount > limit:
            out.append(Violation(rule, limit, used, max(0, limit - used)))
    return out


def room(*, tier: str, txn_type: str, counters: Counters, limits: Limits) -> dict[str, int]:
    """The room (fen) left before this transaction under each limit that applies to it."""
    out: dict[str, int] = {}
    prefix = {"II": "class2_", "III": "class3_"}.get(tier)
    if prefix is None:
        return out
    bucket = bucket_of(tier, txn_type)
    if bucket:
        for period, used in (("day", counters.day), ("year", counters.year)):
            rule = f"{prefix}{bucket}_{period}"
            out[rule] = max(0, getattr(limits, rule) - used)
    if tier == "III" and DIRECTION_OF[txn_type] == "in":
        out["class3_balance"] = max(0, limits.class3_balance - counters.balance)
    return out


def signed(direction: str, amount: int) -> int:
    return amount if direction == "in" else -amount


def trigger_reached(*, total_before: int, amount: int, threshold: int) -> bool:
    """16号 一(五): the person's Class III two-way total has reached the threshold (含) with this transaction.

    The caller raises one task per person, at the first transaction for which this holds (so a threshold
    lowered by a dated parameter triggers at the next transaction)."""
    return total_before + amount >= threshold


def due_date(trigger_day: date, days: int) -> date:
    """The day by which the valid ID must be provided: ``days`` calendar days after the trigger."""
    return trigger_day + timedelta(days=days)


def is_overdue(*, due: date, today: date) -> bool:
    """Overdue from the day after the due date."""
    return today > due


def parse_posted_at(value: str) -> datetime:
    """An ISO 8601 time that carries its offset (``2026-01-05T09:30:00+08:00`` or ``...Z``)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no offset")
    if not 1900 <= moment.year <= 9000:
        raise ValueError("out of range")  # also keeps the conversion to UTC and Shanghai from overflowing
    return moment
