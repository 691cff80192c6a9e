"""The append-only, hash-chained audit log.

Every service write calls :func:`audit_record` inside its own transaction, so the audit row commits or
rolls back with the change it describes. Event codes are stable integers grouped by area:
1xxx core (auth, users, org, parameters, keys), 2xxx customers and admission.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kehu.core.models import AuditChainHead, AuditEvent, User
from kehu.core.rules import GENESIS_HASH, audit_row_hash, canonical_json


class Event:
    """Stable event codes. Never renumber; add new codes at the end of an area."""

    # 10xx authentication and accounts
    LOGIN_OK = 1001
    LOGIN_FAILED = 1002
    ACCOUNT_LOCKED = 1003
    LOGOUT = 1004
    PASSWORD_CHANGED = 1005
    USER_CREATED = 1010
    USER_UPDATED = 1011
    ROLE_GRANTED = 1012
    ROLE_REVOKED = 1013
    TOKEN_CREATED = 1020
    TOKEN_REVOKED = 1021
    # 11xx organisation and configuration
    ORG_CREATED = 1101
    ORG_UPDATED = 1102
    PARAM_PROPOSED = 1110
    PARAM_APPROVED = 1111
    PARAM_REJECTED = 1112
    ADMIN_CHANGE = 1120
    KEYS_REENCRYPTED = 1130
    SCHEDULED_RUN_DONE = 1140
    SCHEDULED_RUN_FAILED = 1141
    # 20xx customer archive
    CUSTOMER_CREATED = 2001
    CUSTOMER_UPDATED = 2002
    CUSTOMER_UNMASKED = 2003
    CUSTOMER_CONSENT_RECORDED = 2004
    CONTACT_ADDED = 2010
    CONTACT_UPDATED = 2011
    CONTACT_REMOVED = 2012
    DOCUMENT_UPLOADED = 2020
    DOCUMENT_DOWNLOADED = 2021
    LICENCE_ADDED = 2030
    LICENCE_UPDATED = 2031
    CONTRACT_FILED = 2040
    CONTRACT_UPDATED = 2041
    AGREEMENT_SIGNED = 2042
    AGREEMENT_TERMINATED = 2043
    GROUP_CREATED = 2050
    GROUP_MEMBER_ADDED = 2051
    GROUP_MEMBER_REMOVED = 2052
    # 21xx admission
    ADMISSION_CREATED = 2101
    ADMISSION_SUBMITTED = 2102
    ADMISSION_SALES_CHECKED = 2103
    ADMISSION_OFFICE_REVIEWED = 2104
    ADMISSION_OPINION = 2105
    ADMISSION_OPINIONS_COMPLETE = 2106
    ADMISSION_VOTE = 2107
    ADMISSION_QUALIFIED = 2108
    ADMISSION_REJECTED = 2109
    ADMISSION_RETURNED = 2110
    ADMISSION_UPDATED = 2111
    CUSTOMER_ACTIVATED = 2120
    CUSTOMER_TERMINATED = 2121
    CUSTOMER_EXITED = 2122

    @classmethod
    def name_of(cls, code: int) -> str:
        for source in (cls, *_EXTRA_EVENTS):
            for key, value in vars(source).items():
                if value == code and key.isupper():
                    return key.lower()
        return str(code)


# Other apps keep their event codes in their own ``events.py`` (grading 3xxx, credit and exposure 4xxx,
# accounts 5xxx, service 6xxx) and register the class here from their AppConfig.ready().
_EXTRA_EVENTS: list[type] = []
# The translated name of every registered app event code, for the audit-log page.
EVENT_LABELS: dict[int, object] = {}


def register_events(events: type, labels: dict[int, object] | None = None) -> None:
    """Make an app's event-code class known, so its rows carry readable event names; ``labels`` gives each
    code its translated name (tests/test_audit_page.py checks that every code has one)."""
    EVENT_LABELS.update(labels or {})
    taken = {v for k, v in vars(Event).items() if k.isupper()}
    for source in _EXTRA_EVENTS:
        taken |= {v for k, v in vars(source).items() if k.isupper()}
    codes = {v for k, v in vars(events).items() if k.isupper()}
    clash = codes & taken
    if clash and events not in _EXTRA_EVENTS:
        raise RuntimeError(f"audit event codes used twice: {sorted(clash)}")
    if events not in _EXTRA_EVENTS:
        _EXTRA_EVENTS.append(events)


def _content(row: AuditEvent) -> dict[str, Any]:
    """The fields a row's hash covers: everything but the hashes themselves."""
    return {
        "id": row.pk,
        "ts": row.ts.isoformat(),
        "actor": row.actor_id,
        "actor_name": row.actor_name,
        "event_code": row.event_code,
        "event": row.event,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "customer_id": row.customer_id,
        "old": row.old_values,
        "new": row.new_values,
        "reason": row.reason,
        "ip": row.ip,
        "channel": row.channel,
    }


def _normalise(values: dict[str, Any] | None) -> dict[str, Any] | None:
    # Round-trip through canonical JSON so that what is hashed equals what the database returns.
    if values is None:
        return None
    import json

    return json.loads(canonical_json(values))


def audit_record(
    *,
    actor: User | None,
    event_code: int,
    object_type: str = "",
    object_id: Any = "",
    customer_id: int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str = "",
    ip: str = "",
    channel: str = "",
) -> AuditEvent:
    """Append one audit row, chained to the previous one. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    head = _lock_head()
    row = AuditEvent(
        ts=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_username() if actor is not None and actor.pk else "system"),
        event_code=event_code,
        event=Event.name_of(event_code),
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        customer_id=customer_id,
        old_values=_normalise(old),
        new_values=_normalise(new),
        reason=reason or "",
        ip=ip or "",
        channel=channel or "",
        prev_hash=head.last_hash,
        row_hash="",
    )
    row.save(force_insert=True)
    # The id is part of the hash, so a row moved to another position no longer verifies.
    row.row_hash = audit_row_hash(head.last_hash, _content(row))
    AuditEvent.objects.filter(pk=row.pk).update(row_hash=row.row_hash)
    AuditChainHead.objects.filter(pk=head.pk).update(last_id=row.pk, last_hash=row.row_hash, count=head.count + 1)
    return row


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1, defaults={"last_id": 0, "last_hash": GENESIS_HASH, "count": 0})
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class ChainProblem:
    row_id: int | None
    kind: str  # "edited", "broken_link", "missing_tail", "count_mismatch"
    detail: str


def verify_chain(*, batch_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the chain in id order and yield every problem found.

    An edited row fails its own hash; a deleted or reordered row breaks the link to its neighbour;
    deleting the newest rows is caught by the chain head.
    """
    prev_hash = GENESIS_HASH
    last_id = 0
    count = 0
    while True:
        rows = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not rows:
            break
        for row in rows:
            count += 1
            if row.prev_hash != prev_hash:
                yield ChainProblem(row.pk, "broken_link", "previous hash does not match the preceding row")
            expected = audit_row_hash(row.prev_hash, _content(row))
            if expected != row.row_hash:
                yield ChainProblem(row.pk, "edited", "row content does not match its hash")
            prev_hash = row.row_hash
            last_id = row.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        if head.last_hash != prev_hash or head.last_id != last_id:
            yield ChainProblem(head.last_id or None, "missing_tail", "the newest rows do not match the chain head")
        if head.count != count:
            yield ChainProblem(None, "count_mismatch", f"chain head counts {head.count} rows, found {count}")


def db_vendor() -> str:
    return connection.vendor
