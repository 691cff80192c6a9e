"""Append many audit rows to the hash chain at once, for set-based imports.

The rows are exactly what ``kehu.core.audit.audit_record`` writes one at a time (same content, same hash
over the previous row's hash and the row's canonical content including its id), so ``kehu audit verify``
cannot tell them apart. What differs is the cost: the ids are reserved up front, the hashes are chained in
Python, and the rows go to the database in one ``executemany`` instead of an INSERT, an UPDATE of the
row's hash and an UPDATE of the chain head per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.bulk.writes import db_value, insert_fields, insert_rows, reserve_ids

# The chain's own helpers: what goes into a row's hash must be computed by the same code as audit_record.
from kehu.core.audit import KEYED, Event, _content, _lock_head, _normalise, _org_path_for, audit_key
from kehu.core.models import AuditChainHead, AuditEvent
from kehu.core.rules import audit_row_hmac

FIELDS = insert_fields(AuditEvent)
TS = AuditEvent._meta.get_field("ts")


@dataclass
class AuditEntry:
    event_code: int
    object_type: str
    object_id: Any
    customer_id: int | None = None
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    reason: str = ""
    channel: str = ""
    normalised: bool = False  # old/new already went through core.audit._normalise


def audit_record_many(*, actor, entries: Sequence[AuditEntry]) -> int:
    """Append ``entries`` in order, chained like ``audit_record``. Must run inside the caller's transaction."""
    if not entries:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside transaction.atomic()")
    key = audit_key()  # the keyed chain (HMAC with a key outside the database), as audit_record writes it
    head = _lock_head()  # every appender locks the head first: our ids and hashes follow its last row
    ids = reserve_ids(AuditEvent, len(entries))
    actor_id = actor.pk if actor is not None and actor.pk else None
    actor_name = actor.get_username() if actor_id else "system"
    names: dict[int, str] = {}
    prev = head.last_hash
    rows = []
    now = timezone.now()
    ts = db_value(TS, now)
    # The org unit each row concerns (an auditor reads their subtree): the customer's, read in one query.
    from django.apps import apps

    customer_ids = {e.customer_id for e in entries if e.customer_id is not None}
    paths = dict(apps.get_model("customers", "Customer").objects.filter(pk__in=customer_ids)
                 .values_list("pk", "org_path")) if customer_ids else {}
    fallback: str | None = None
    for pk, entry in zip(ids, entries, strict=True):
        name = names.get(entry.event_code)
        if name is None:
            name = names[entry.event_code] = Event.name_of(entry.event_code)
        org_path = paths.get(entry.customer_id) if entry.customer_id is not None else None
        if org_path is None:
            if fallback is None:
                fallback = _org_path_for(actor=actor, customer_id=None, object_type="", object_id="")
            org_path = fallback
        # The attributes _content reads, without building a model instance per row.
        row = SimpleNamespace(
            pk=pk, ts=now, actor_id=actor_id, actor_name=actor_name, event_code=entry.event_code,
            event=name, object_type=entry.object_type,
            object_id=str(entry.object_id) if entry.object_id not in (None, "") else "",
            customer_id=entry.customer_id,
            old_values=entry.old if entry.normalised else _normalise(entry.old),
            new_values=entry.new if entry.normalised else _normalise(entry.new),
            reason=entry.reason or "", ip="", channel=entry.channel or "", org_path=org_path or "",
            hash_version=KEYED, prev_hash=prev,
        )
        row.row_hash = prev = audit_row_hmac(key, prev, _content(row))
        values = vars(row)
        rows.append((pk, *(ts if f is TS else db_value(f, values[f.attname]) for f in FIELDS)))
    insert_rows(AuditEvent, FIELDS, rows)
    AuditChainHead.objects.filter(pk=head.pk).update(last_id=ids[-1], last_hash=prev, count=head.count + len(rows))
    return len(rows)
