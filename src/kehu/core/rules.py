"""Pure rules shared by every module: masking of personal data, audit hashing, password classes.

No ORM and no clock in here: these functions are tested exhaustively with Hypothesis.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

MASK = "*"

# Masked forms follow domain spec 10.4 [PROPOSED defaults].


def mask_name(name: str) -> str:
    """Return the surname followed by one ``*`` per remaining character (张三 → 张*)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + MASK * (len(name) - 1)


def mask_id_number(value: str) -> str:
    """Keep the first 3 and last 4 characters of an identity number."""
    value = (value or "").strip()
    if len(value) <= 7:
        return MASK * len(value)
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number (138****5678)."""
    value = (value or "").strip()
    if len(value) <= 7:
        return MASK * len(value)
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def mask_card(value: str) -> str:
    """Keep the first 6 and last 4 digits of a bank card number."""
    value = (value or "").replace(" ", "")
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_email(value: str) -> str:
    """Keep the first character and the domain (z***@example.com)."""
    value = (value or "").strip()
    local, at, domain = value.partition("@")
    if not at:
        return MASK * 3 if value else ""
    return (local[:1] or "") + MASK * 3 + "@" + domain


# The first district-level unit: 区 (not the 区 of 自治区 or 特别行政区), 县 or 旗.
_DISTRICT = re.compile(r"^(.{0,24}?(?:(?<!自治)(?<!特别行政)区|县|旗))")
# Failing that, a city (市), for addresses in cities without districts.
_CITY = re.compile(r"^(.{0,12}市)")


def mask_address(value: str) -> str:
    """Keep the address down to district (区/县/旗) level and hide the rest with ``****``."""
    value = (value or "").strip()
    if not value:
        return ""
    for pattern in (_DISTRICT, _CITY):
        match = pattern.match(value)
        if match and len(match.group(1)) < len(value):
            return match.group(1) + MASK * 4
    # No recognisable district or city: keep at most the first three characters, never the whole text.
    return value[: min(3, max(len(value) - 1, 0))] + MASK * 4


MASKERS = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "mobile": mask_phone,
    "card": mask_card,
    "email": mask_email,
    "address": mask_address,
}


def mask(kind: str, value: str | None) -> str:
    if value is None:
        return ""
    return MASKERS[kind](value)


def canonical_json(value: Any) -> str:
    """Serialise for hashing: sorted keys, no spaces, Decimals and datetimes as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


GENESIS_HASH = "0" * 64


def audit_row_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """Return the hash of one audit row chained to the previous row's hash."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\x1e")
    digest.update(canonical_json(content).encode("utf-8"))
    return digest.hexdigest()


def character_classes(password: str) -> int:
    """Count the classes (lower, upper, digit, other) that occur in a password."""
    classes = 0
    classes += any(c.islower() for c in password)
    classes += any(c.isupper() for c in password)
    classes += any(c.isdigit() for c in password)
    # "Other" is whatever is none of the three above: CJK characters count as alphanumeric to Python,
    # yet they are neither letters with case nor digits, so they belong here rather than nowhere.
    classes += any(not (c.islower() or c.isupper() or c.isdigit()) for c in password)
    return classes


def throttle_delay_seconds(failures: int, *, free: int, base: int, cap: int) -> int:
    """Seconds to wait after the ``failures``-th failure: none for the first ``free``, then ``base``
    doubling with each further failure, never more than ``cap``."""
    if failures <= free or base <= 0:
        return 0
    exponent = min(failures - free - 1, 40)
    return min(base * (1 << exponent), cap)  # 2**exponent; exponent >= 0 here


def audit_row_hmac(key: bytes, prev_hash: str, content: dict[str, Any]) -> str:
    """Return the keyed hash (HMAC-SHA256) of one audit row chained to the previous row's hash.

    Without the key nobody can compute it, so an insider who can write the database cannot forge a
    row or recompute the chain after an edit."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(b"kehu-audit-v2\x1e")
    mac.update(prev_hash.encode("ascii"))
    mac.update(b"\x1e")
    mac.update(canonical_json(content).encode("utf-8"))
    return mac.hexdigest()


def checkpoint_signature(key: bytes, body: dict[str, Any]) -> str:
    """The signature (HMAC-SHA256 under the audit key) of a published chain checkpoint."""
    return hmac.new(key, b"kehu-checkpoint-v1\x1e" + canonical_json(body).encode("utf-8"), hashlib.sha256).hexdigest()
