"""Pure rules of the customer archive and admission review. No ORM, no clock: time is passed in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pypinyin import lazy_pinyin
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

# ---------------------------------------------------------------- identifiers


def clean_uscc(value: str) -> str | None:
    """Return the normalised unified social credit code (GB 32100-2015), or None if invalid.

    python-stdnum checks the length, the character set and the check character.
    """
    try:
        return uscc.validate(value or "")
    except StdnumError:
        return None


def clean_resident_id(value: str) -> str | None:
    """Return the normalised 18-digit resident ID number (GB 11643-1999), or None if invalid."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return None
    try:
        return ric.validate(value)
    except StdnumError:
        return None


PHONE_RE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def clean_phone(value: str) -> str | None:
    value = (value or "").strip().replace(" ", "")
    return value if PHONE_RE.match(value) else None


def clean_email(value: str) -> str | None:
    value = (value or "").strip()
    return value if len(value) <= 254 and EMAIL_RE.match(value) else None


# ---------------------------------------------------------------- search keys


def _each_character(chars: str) -> Any:
    """pypinyin's ``errors`` callback: characters without pinyin stay, one item each (pypinyin takes a list
    here although its annotations name only ``str``)."""
    return list(chars)


def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials) of a name, lower case, without tones or spaces.

    Non-Chinese characters are kept as they are (lower-cased), so "ABC科技" → ("abckeji", "abckj").
    """
    # One pypinyin pass: the initial of each syllable is its first letter, which is what Style.FIRST_LETTER
    # gives, and a second pass was the largest cost of a bulk import (about 80 µs of ~300 µs per row).
    syllables = [s.lower() for s in lazy_pinyin(name or "", errors=_each_character) if s.strip()]
    return "".join(syllables)[:600], "".join(s[0] for s in syllables)[:200]


def classify_query(q: str) -> str:
    """Return how a search text should be read: 'uscc', 'id_number', 'pinyin' or 'name'."""
    q = (q or "").strip()
    if len(q) == 18 and q[:17].isdigit() and (q[17].isdigit() or q[17] in "xX"):
        return "id_number"
    if re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2,18}", q.upper()) and any(c.isdigit() for c in q):
        return "uscc"
    if re.fullmatch(r"[A-Za-z]+", q):
        return "pinyin"
    return "name"


# ---------------------------------------------------------------- admission state machine

# status -> {action: next status}. Actions: submit, sales_check, office_review, opinions_complete,
# committee_approve, reject, return. A transition not in this table is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"submit": "submitted"},
    "returned": {"submit": "submitted"},
    "submitted": {"sales_check": "sales_checked", "reject": "rejected", "return": "returned"},
    "sales_checked": {"office_review": "office_reviewed", "reject": "rejected", "return": "returned"},
    "office_reviewed": {"opinions_complete": "opinions_complete", "return": "returned"},
    "opinions_complete": {"committee_approve": "qualified", "reject": "rejected", "return": "returned"},
    "qualified": {},
    "rejected": {},
}

# The customer's standing after each application status.
CUSTOMER_STATUS_FOR = {
    "draft": "prospect",
    "submitted": "in_review",
    "sales_checked": "in_review",
    "office_reviewed": "in_review",
    "opinions_complete": "in_review",
    "returned": "in_review",
    "qualified": "qualified",
    "rejected": "rejected",
}

# Customer-level transitions after admission (domain spec 2.2).
CUSTOMER_TRANSITIONS: dict[str, dict[str, str]] = {
    "qualified": {"activate": "active", "terminate": "terminated", "exit": "exited"},
    "active": {"terminate": "terminated", "exit": "exited"},
}

TERMINATION_REASONS = ("false_information", "failed_evaluation", "grade_e_exit", "other")

# Customers in these standings may receive credit, quotes and orders (S9 Ch.2 §2: 合格以上).
TRADABLE = frozenset({"qualified", "active"})


# A customer in these standings may start an application (one never applied, or was rejected).
APPLY_FROM = frozenset({"prospect", "rejected"})


def next_status(current: str, action: str) -> str | None:
    return TRANSITIONS.get(current, {}).get(action)


def application_allows(state: str, action: str) -> bool:
    """Whether the admission state machine allows ``action`` on an application in ``state``."""
    return action in TRANSITIONS.get(state, {})


def customer_allows(status: str, action: str) -> bool:
    """Whether the customer-level table allows ``action`` (activate, terminate, exit) in ``status``."""
    return action in CUSTOMER_TRANSITIONS.get(status, {})


def can_transact(admission_status: str) -> bool:
    return admission_status in TRADABLE


# ---------------------------------------------------------------- admission guards


@dataclass(frozen=True)
class LicenceFact:
    kind: str
    valid_to: date | None
    valid_from: date | None
    annual_report_ok: bool


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, Any]


def licence_problems(required: list[str], licences: list[LicenceFact], today: date) -> list[Problem]:
    """Return the required licence kinds that are missing or not valid on ``today``."""
    problems: list[Problem] = []
    for kind in required:
        candidates = [lic for lic in licences if lic.kind == kind]
        if not candidates:
            problems.append(Problem("licence_missing", {"kind": kind}))
            continue
        valid = [
            lic for lic in candidates
            if (lic.valid_from is None or lic.valid_from <= today)
            and (lic.valid_to is None or lic.valid_to >= today)
        ]
        if not valid:
            problems.append(Problem("licence_expired", {"kind": kind}))
        elif not any(lic.annual_report_ok for lic in valid):
            problems.append(Problem("licence_annual_report", {"kind": kind}))
    return problems


def licence_expiry_state(valid_to: date | None, today: date, warning_days: int) -> str:
    """Return 'expired', 'expiring' (within ``warning_days``) or 'valid'."""
    if valid_to is None:
        return "valid"
    if valid_to < today:
        return "expired"
    if (valid_to - today).days <= warning_days:
        return "expiring"
    return "valid"


def volume_needs_justification(
    expected_volume: Decimal | None, registered_capital: Decimal | None, ratio: Decimal
) -> bool:
    """Registered capital must suit the business volume (S9 Ch.4 §3); above the ratio a reason is due."""
    if expected_volume is None or registered_capital is None or registered_capital <= 0:
        return False
    return expected_volume > registered_capital * ratio


def missing_departments(required: list[str], recorded: set[str]) -> list[str]:
    return [d for d in required if d not in recorded]


def committee_outcome(approvals: int, rejections: int, quorum: int) -> str | None:
    """Return 'approve' or 'reject' once either side reaches the quorum of distinct members."""
    if approvals >= quorum:
        return "approve"
    if rejections >= quorum:
        return "reject"
    return None
