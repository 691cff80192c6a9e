"""The append-only, keyed hash chain of the audit log, its sealer, and its signed checkpoints.

Every service write calls :func:`audit_record` (or :func:`audit_record_many`) inside its own transaction,
so the audit row commits or rolls back with the change it describes. Event codes are stable integers
grouped by area: 1xxx core (auth, users, org, parameters, keys), 2xxx customers and admission.

All code of the chain lives in this module (appending, sealing, verifying, checkpoints). The design is in
docs/audit-design.md; in short (issue 17, hash version 3):

* A writer takes no lock. It inserts its row with ``content_hash = HMAC(audit key, row content)``, the
  content including the row's id, org path and version, and leaves the row *pending* (``seal_seq`` empty).
* The **sealer** (:func:`seal`) gives committed pending rows their place: under the one chain-head row,
  locked with SKIP LOCKED so a second sealer never waits but leaves, it numbers them ``seal_seq`` = 1, 2, 3,
  ... in the order it finds them (id order among the rows committed at that moment) and links each to the
  previous one: ``row_hash = HMAC(key, prev_hash ‖ seal_seq ‖ content_hash)``. It runs after every commit
  that wrote audit rows (``on_commit``), from the scheduled checkpoint job and from ``kehu audit seal``.
* :func:`verify_chain` walks the sealed rows in ``seal_seq`` order (an edit fails the content hash, a
  deleted or reordered row breaks a link and leaves a gap in the numbers, a truncation shows against the
  head and the last checkpoint) and checks every pending row's own keyed hash; pending rows are reported by
  :func:`chain_status` as pending, not as tampering. With ``workers`` it cuts the sealed rows into ranges checked
  by as many processes (``kehu.core.audit_workers``) and joins them as one walk would.

Rows of hash versions 1 (plain SHA-256) and 2 (HMAC chained at write time under a head lock) keep their
hashes; the migration numbered them in id order, and the first sealed row links to the last of them, so
the key still seals the whole older prefix. The audit key is never in the database (``KEHU_AUDIT_KEY``/
``KEHU_AUDIT_KEY_FILE``). :func:`publish_checkpoint` writes the signed head (last id, hash, count = last
``seal_seq``, time, first keyed id) to a file outside the database and, optionally, to syslog.
"""

from __future__ import annotations

import hmac
import json
import logging
import logging.handlers
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.models import AuditChainHead, AuditEvent, User
from kehu.core.rules import (
    GENESIS_HASH,
    _json_default,
    audit_row_hash,
    audit_row_hmac,
    canonical_json,
    checkpoint_signature,
)
from kehu.core.writes import insert_one

logger = logging.getLogger(__name__)
KEYED = 2
SEALED = 3  # issue 17: content hash by the writer, place and link by the sealer
CHECKPOINT_FILE = "checkpoints.jsonl"


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
    SECOND_FACTOR_ENABLED = 1030
    SECOND_FACTOR_DISABLED = 1031
    SECOND_FACTOR_FAILED = 1032
    RECOVERY_CODE_USED = 1033
    # 11xx organisation and configuration
    ORG_CREATED = 1101
    ORG_UPDATED = 1102
    PARAM_PROPOSED = 1110
    PARAM_APPROVED = 1111
    PARAM_REJECTED = 1112
    ADMIN_CHANGE = 1120
    KEYS_REENCRYPTED = 1130
    AUDIT_CHECKPOINT = 1131
    SCHEDULED_RUN_DONE = 1140
    SCHEDULED_RUN_FAILED = 1141

    @classmethod
    def name_of(cls, code: int) -> str:
        for source in (cls, *_EXTRA_EVENTS):
            for key, value in vars(source).items():
                if value == code and key.isupper():
                    return key.lower()
        return str(code)


# Other apps keep their event codes in their own ``events.py`` (customers 20xx-21xx, grading 3xxx, credit and
# exposure 4xxx, accounts 5xxx, service 6xxx) and register the class here from their AppConfig.ready().
_EXTRA_EVENTS: list[type] = []
# The translated name of every registered app event code, for the audit-log page.
EVENT_LABELS: dict[int, object] = {}


def register_events(events: type, labels: Mapping[int, object] | None = None) -> None:
    """Make an app's event-code class known, so its rows carry readable event names; ``labels`` gives each
    code its translated name (tests/core/test_audit_page.py checks that every code has one)."""
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


# The org path of the customers audit rows concern (an auditor reads the rows of their subtree). Core knows no
# customer: the customers app registers the lookup in its AppConfig.ready(), as it registers its inbox.
_customer_paths: Callable[[str, set[int]], dict[int, str]] | None = None


def register_customer_paths(lookup: Callable[[str, set[int]], dict[int, str]]) -> None:
    """``lookup(using, customer_ids) -> {customer id: org path}``; without one, rows are scoped by the actor."""
    global _customer_paths
    _customer_paths = lookup


def _paths_of_customers(using: str, customer_ids: set[int]) -> dict[int, str]:
    if not customer_ids or _customer_paths is None:
        return {}
    return _customer_paths(using, customer_ids)


def _content(row: AuditEvent) -> dict[str, Any]:
    """The fields a row's hash covers: everything but the hashes themselves (keyed rows add their org
    path and version, so that moving a row out of an auditor's sight is detected too)."""
    return content_fields(row.pk, row.ts.isoformat(), row.actor_id, row.actor_name, row.event_code, row.event,
                          row.object_type, row.object_id, row.customer_id, row.old_values, row.new_values,
                          row.reason, row.ip, row.channel, row.org_path, row.hash_version)


def _plain_content(row: AuditEvent) -> dict[str, Any]:
    """The content of the unkeyed versions (before org path and version were covered)."""
    return {k: v for k, v in _content(row).items() if k not in ("org_path", "v")}


def content_fields(pk: Any, ts: str, actor: Any, actor_name: str, event_code: int, event: str, object_type: str,
                   object_id: str, customer_id: Any, old: Any, new: Any, reason: str, ip: str, channel: str,
                   org_path: str, version: int) -> dict[str, Any]:
    """The one definition of what a row's hash covers, from its values (a model instance, a row being built
    in a batch, a row read back for verification); ``ts`` as ISO text."""
    content = {"id": pk, "ts": ts, "actor": actor, "actor_name": actor_name, "event_code": event_code,
               "event": event, "object_type": object_type, "object_id": object_id, "customer_id": customer_id,
               "old": old, "new": new, "reason": reason, "ip": ip, "channel": channel}
    if version >= KEYED:
        content.update(org_path=org_path, v=version)
    return content


def normalise_values(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """``values`` as an audit row stores and hashes them: their round trip through canonical JSON, so that
    what is hashed equals what the database returns (Decimals and dates become strings, tuples lists).
    For writers that build ``old``/``new`` ahead (``AuditEntry(normalised=True)``)."""
    if values is None:
        return None
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
    org_path: str | None = None,
    using: str = "default",
) -> AuditEvent:
    """Append one audit row (pending until sealed). Must run inside the caller's transaction.

    No lock is taken: the row carries the keyed hash of its own content, and the sealer chains it once
    the caller's transaction has committed (an ``on_commit`` hook registered here, once per transaction;
    on SQLite, whose writers hold the one database write lock anyway, before the commit).

    ``org_path`` is the org unit the row concerns; by default the customer's, else the user's the row
    is about (``object_type="user"``), else the actor's; an auditor reads the rows of their subtree.
    ``using`` names another database connection (a restored copy being repaired, e.g. PIPL deletions applied
    again after a restore); everything else writes to the default one."""
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    key = audit_key()
    if org_path is None:
        org_path = _org_path_for(actor=actor, customer_id=customer_id, object_type=object_type, object_id=object_id,
                                 using=using)
    row = AuditEvent(
        ts=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_username() if actor is not None and actor.pk else "system"),
        event_code=event_code,
        event=Event.name_of(event_code),
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        customer_id=customer_id,
        old_values=normalise_values(old),
        new_values=normalise_values(new),
        reason=reason or "",
        ip=ip or "",
        channel=channel or "",
        org_path=org_path or "",
        hash_version=SEALED,
        prev_hash="",
        row_hash="",
    )
    if _append_sealed_sqlite(row, key, using):
        return row
    insert_one(row, using=using)
    # The id is part of the hash, so a row moved to another id no longer verifies.
    row.content_hash = content_hmac(key, _content(row))
    AuditEvent.objects.using(using).filter(pk=row.pk).update(content_hash=row.content_hash)
    _seal_after_write(using)
    return row


def _append_sealed_sqlite(row: AuditEvent, key: bytes, using: str) -> bool:
    """SQLite, a writer sealing its own row (not inside ``seal_at_end``) with nothing else pending: insert the row
    already sealed, in one INSERT and one UPDATE of the head, instead of insert, update, then the sealer's loop.

    Its transaction is IMMEDIATE (kehu's SQLite setting), so it has held the database's only write lock since
    BEGIN: nobody can append or seal between the reads below and the commit. The row gets the id, content hash,
    place and link the general path would give it (next id, HMAC of its content, head count + 1, link over the
    head's hash): the chain is the same. False (nothing written) where that does not hold: another engine or
    transaction mode, sealing deferred, rows pending from before (the general sealer takes them in id order),
    no head row yet."""
    conn = connections[using]
    if (conn.vendor != "sqlite" or using in _deferred_aliases()
            or (conn.settings_dict.get("OPTIONS") or {}).get("transaction_mode") != "IMMEDIATE"):
        return False
    table = conn.ops.quote_name(AuditEvent._meta.db_table)
    head_table = conn.ops.quote_name(AuditChainHead._meta.db_table)
    top_id, params = _sqlite_top_id()
    with conn.cursor() as cursor:
        # One statement (issue 17: four before): the head, whether rows are pending, and the next id as
        # _reserve_ids computes it (the larger of the AUTOINCREMENT counter and the largest id).
        cursor.execute(
            f"SELECT last_hash, count, EXISTS (SELECT 1 FROM {table} WHERE seal_seq IS NULL), "  # noqa: S608 (model metadata)
            f"{top_id} FROM {head_table} WHERE id = 1", params)
        head = cursor.fetchone()
        if head is None or head[2]:
            return False
        last_hash, count, _pending, top = head
        row.pk = top + 1  # as _reserve_ids gives it
        row.content_hash = content_hmac(key, _content(row))
        row.seal_seq = count + 1
        row.prev_hash = last_hash
        row.row_hash = link_hmac(key, last_hash, row.seal_seq, row.content_hash)
        insert_one(row, using=using)
        cursor.execute(f"UPDATE {head_table} SET last_id = %s, last_hash = %s, count = %s WHERE id = 1",  # noqa: S608
                       [row.pk, row.row_hash, row.seal_seq])
    return True


@dataclass
class AuditEntry:
    """One row for :func:`audit_record_many`."""

    event_code: int
    object_type: str
    object_id: Any
    customer_id: int | None = None
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    reason: str = ""
    channel: str = ""
    normalised: bool = False  # old/new already went through normalise_values


def audit_record_many(*, actor: User | None, entries: Sequence[AuditEntry], using: str = "default") -> int:
    """Append ``entries`` in order, as :func:`audit_record` writes them one at a time (same content, same
    hashes), for set-based imports: the ids are reserved up front, the content hashes computed in Python and
    the rows inserted with one ``executemany``. Must run inside the caller's transaction; no lock is taken."""
    if not entries:
        return 0
    conn = transaction.get_connection(using)
    if not conn.in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside transaction.atomic()")
    key = audit_key()
    ids = _reserve_ids(conn, len(entries))
    actor_id = actor.pk if actor is not None and actor.pk else None
    actor_name = actor.get_username() if actor_id else "system"
    names: dict[int, str] = {}
    now = timezone.now()
    ts = now.isoformat()
    # The org unit each row concerns (an auditor reads their subtree): the customer's, read in one query.
    paths = _paths_of_customers(using, {e.customer_id for e in entries if e.customer_id is not None})
    fallback: str | None = None
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    # The row's values as an AuditEvent would hold them, by attname; the values every row of the batch shares are
    # converted for the database once. No model instance per row (P11: building one and its values through
    # pre_save/get_db_prep_save was half of the import's writing time); what is hashed and stored is what
    # audit_record hashes and the ORM stores: the same fields convert the same values.
    shared = {"ts": now, "actor_id": actor_id, "actor_name": actor_name, "ip": "", "hash_version": SEALED,
              "prev_hash": "", "row_hash": "", "seal_seq": None}
    prepared = {f.attname: f.get_db_prep_save(f.pre_save(_Values(shared), True), connection=conn)
                for f in fields if f.attname in shared}
    plain_text = (models.CharField, models.TextField)
    rows = []
    for pk, entry in zip(ids, entries, strict=True):
        name = names.get(entry.event_code)
        if name is None:
            name = names[entry.event_code] = Event.name_of(entry.event_code)
        org_path = paths.get(entry.customer_id) if entry.customer_id is not None else None
        if org_path is None:
            if fallback is None:
                fallback = _org_path_for(actor=actor, customer_id=None, object_type="", object_id="", using=using)
            org_path = fallback
        values = {
            "event_code": entry.event_code, "event": name, "object_type": entry.object_type,
            "object_id": str(entry.object_id) if entry.object_id not in (None, "") else "",
            "customer_id": entry.customer_id,
            "old_values": entry.old if entry.normalised else normalise_values(entry.old),
            "new_values": entry.new if entry.normalised else normalise_values(entry.new),
            "reason": entry.reason or "", "channel": entry.channel or "", "org_path": org_path or "",
        }
        values["content_hash"] = content_hmac(key, content_fields(
            pk, ts, actor_id, actor_name, values["event_code"], name, values["object_type"], values["object_id"],
            values["customer_id"], values["old_values"], values["new_values"], values["reason"], "",
            values["channel"], values["org_path"], SEALED))
        row = [pk]
        for f in fields:
            attname = f.attname
            if attname in prepared:
                row.append(prepared[attname])
                continue
            value = values[attname]
            # Text fields keep a str as it is (CharField.to_python); the rest go through their field.
            row.append(value if type(value) is str and isinstance(f, plain_text)
                       else f.get_db_prep_save(value, connection=conn))
        rows.append(tuple(row))
    quote = conn.ops.quote_name
    columns = ", ".join(quote(c) for c in ["id", *(f.column for f in fields)])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    with conn.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES ({marks})", rows)
    _seal_after_write(using)
    return len(rows)


class _Values:
    """Attribute access over a dict, for a field's ``pre_save`` without a model instance."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _reserve_ids(conn, n: int) -> list[int]:
    """Ids for ``n`` new audit rows, increasing: PostgreSQL takes them from the table's sequence; SQLite's
    writing transaction holds the database's write lock (kehu opens SQLite transactions IMMEDIATE) and an
    AUTOINCREMENT table never reuses an id."""
    table = AuditEvent._meta.db_table
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [conn.ops.quote_name(table), n])
            return sorted(row[0] for row in cursor.fetchall())
        top_id, params = _sqlite_top_id()
        cursor.execute(f"SELECT {top_id}", params)  # noqa: S608 (model metadata)
        top = cursor.fetchone()[0]
    return list(range(top + 1, top + 1 + n))


# SQLite: the largest audit id ever given, the larger of the AUTOINCREMENT counter and the largest id (a
# fragment, so that the lone writer's sealed insert reads it in the same statement as the chain head).
def _sqlite_top_id() -> tuple[str, list[Any]]:
    table = AuditEvent._meta.db_table
    return (f'MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), '
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0))', [table])


def content_hmac(key: bytes, content: dict[str, Any]) -> str:
    """The keyed hash of one row's own content (version 3), written by the row's writer."""
    return hmac.digest(key, b"kehu-audit-v3-row\x1e" + canonical_json(content).encode("utf-8"), "sha256").hex()


def link_hmac(key: bytes, prev_hash: str, seq: int, content_hash: str) -> str:
    """The keyed link of a sealed row (version 3): the previous link, the row's place and its content hash."""
    return hmac.digest(key, b"kehu-audit-v3-seal\x1e%s\x1e%d\x1e%s" % (prev_hash.encode("ascii"), seq,
                                                                        content_hash.encode("ascii")),
                       "sha256").hex()


# ------------------------------------------------------------------------------------------ the sealer


def _seal_after_write(using: str) -> None:
    """PostgreSQL: seal after the commit (writers never wait for each other). SQLite: the writing transaction
    already holds the database's only write lock, so it seals its own rows before it commits; deferring
    would only add a second write transaction per request, with nothing to run beside it."""
    if connections[using].vendor == "sqlite":
        if using not in _deferred_aliases():
            seal(using=using)
    else:
        _seal_after_commit(using)


# Connections (per thread, like Django's) whose SQLite writer seals once at the end of a block instead of after
# every row: see seal_at_end().
_sealing_deferred = threading.local()


def _deferred_aliases() -> set[str]:
    if not hasattr(_sealing_deferred, "aliases"):
        _sealing_deferred.aliases = set()
    return _sealing_deferred.aliases


@contextmanager
def seal_at_end(using: str = "default") -> Iterator[None]:
    """Within one transaction that writes thousands of audit rows (the demo loaders), seal them once when the
    block ends instead of after each row. The chain is the same: sealing numbers the pending rows in id order,
    and on SQLite nothing else can write (or seal) while the transaction holds the write lock, so one seal of
    all of them gives every row the place, link and head that sealing after each insert gives it; only the
    per-row probe, head lock and head update are saved. PostgreSQL already seals once, after the commit.

    The block must run inside ``transaction.atomic()``, so that its rows are sealed before they commit, as
    every SQLite writer's are. If the block raises, it seals nothing: its rows roll back with the transaction
    (or, should the caller go on and commit, the next seal takes them, as after a crash)."""
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("seal_at_end must be used inside transaction.atomic()")
    aliases = _deferred_aliases()
    if using in aliases:  # nested: the outermost block seals
        yield
        return
    aliases.add(using)
    try:
        yield
    finally:
        aliases.discard(using)
    if connections[using].vendor == "sqlite":
        seal(using=using)


def _seal_after_commit(using: str) -> None:
    """Run :func:`seal` once the current transaction has committed (registered once per transaction)."""
    conn = transaction.get_connection(using)
    if any(getattr(func, "kehu_audit_seal", False) for _sids, func, _robust in conn.run_on_commit):
        return

    def after_commit() -> None:
        try:
            seal(using=using, pending_known=True)
        except DatabaseError:
            # The rows stay pending; the next seal (next write, scheduled job, `kehu audit seal`) takes them.
            logger.warning("sealing the audit chain after a commit failed", exc_info=True)

    after_commit.kehu_audit_seal = True  # type: ignore[attr-defined]
    transaction.on_commit(after_commit, using=using, robust=True)


def seal(*, using: str = "default", batch_size: int = 5000, pending_known: bool = False) -> int:
    """Chain every committed pending row; return how many were sealed.

    Under the chain-head row, locked with SKIP LOCKED (PostgreSQL; SQLite serialises writers anyway): a
    second sealer does not wait but returns, and the one holding the head looks again after it released it,
    so a row committed while the head was busy is never left behind. Rows are numbered in id order among the
    pending rows committed at the moment of sealing; a row whose transaction commits later gets a later number.
    """
    sealed = 0
    conn = connections[using]
    pending = AuditEvent.objects.using(using).filter(seal_seq__isnull=True)
    # A writer sealing after its own commit knows a row is pending: it skips the first look (issue 17: one
    # statement less per audited API write on PostgreSQL). Finding nothing under the head, it returns as
    # a look would have; the look after each pass stays, for rows committed while the head was held.
    look = not pending_known
    while not look or pending.exists():
        look = True
        with transaction.atomic(using=using):
            heads = AuditChainHead.objects.using(using)
            if conn.vendor == "postgresql":
                head = heads.select_for_update(skip_locked=True).filter(pk=1).first()
                if head is None and not heads.filter(pk=1).exists():
                    head = _lock_head(using)
            else:
                head = _lock_head(using)
            if head is None:
                return sealed  # another sealer holds the head and looks again after releasing it
            rows = list(pending.order_by("pk").values_list("pk", "content_hash")[:batch_size])
            if not rows:
                return sealed
            key = audit_key()
            prev, seq, updates = head.last_hash, head.count, []
            for pk, content_hash in rows:
                seq += 1
                link = link_hmac(key, prev, seq, content_hash)
                updates.append((seq, prev, link, pk))
                prev = link
            _write_seals(conn, updates)
            heads.filter(pk=head.pk).update(last_id=rows[-1][0], last_hash=prev, count=seq)
        sealed += len(rows)
    return sealed


def _write_seals(conn, updates: list[tuple[int, str, str, int]]) -> None:
    table = conn.ops.quote_name(AuditEvent._meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for start in range(0, len(updates), 1000):
                part = updates[start:start + 1000]
                values = ", ".join(["(%s::bigint, %s, %s, %s::bigint)"] * len(part))
                cursor.execute(
                    f"UPDATE {table} AS a SET seal_seq = v.seq, prev_hash = v.prev, row_hash = v.link "  # noqa: S608
                    f"FROM (VALUES {values}) AS v(seq, prev, link, id) WHERE a.id = v.id AND a.seal_seq IS NULL",
                    [x for u in part for x in u])
        else:
            cursor.executemany(f"UPDATE {table} SET seal_seq = %s, prev_hash = %s, row_hash = %s "  # noqa: S608
                               "WHERE id = %s AND seal_seq IS NULL", updates)


def audit_key() -> bytes:
    key = getattr(settings, "KEHU_AUDIT_KEY", None)
    if not key:
        raise ImproperlyConfigured(
            "KEHU_AUDIT_KEY is not set; the audit log cannot be written. Set it (or KEHU_AUDIT_KEY_FILE, a "
            "file outside KEHU_HOME) to a base64 key of 32 bytes, e.g. from `kehu keys generate --audit`."
        )
    return key


def _org_path_for(*, actor: User | None, customer_id: int | None, object_type: str, object_id: Any,
                  using: str = "default") -> str:
    if customer_id is not None:
        path = _paths_of_customers(using, {customer_id}).get(customer_id)
        if path:
            return path
    if object_type == "user" and str(object_id or "").isdigit():
        path = User.objects.using(using).filter(pk=int(object_id)).values_list("org_unit__path", flat=True).first()
        if path:
            return path
    if actor is not None and actor.pk and actor.org_unit_id:
        return actor.org_unit.path
    return ""


def _lock_head(using: str = "default") -> AuditChainHead:
    heads = AuditChainHead.objects.using(using)
    head = heads.select_for_update().filter(pk=1).first()
    if head is None:
        heads.get_or_create(pk=1, defaults={"last_id": 0, "last_hash": GENESIS_HASH, "count": 0})
        head = heads.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class ChainProblem:
    row_id: int | None
    # "edited", "broken_link", "missing_tail", "count_mismatch", "downgraded" (a plain row after keyed
    # ones), "checkpoint_mismatch", "truncated", "bad_checkpoint", "no_key"
    kind: str
    detail: str


# The columns verification reads, in this order (no model instances: a tuple per row).
_VERIFY_COLUMNS = ("pk", "seal_seq", "ts", "actor_id", "actor_name", "event_code", "event", "object_type",
                   "object_id", "customer_id", "old_values", "new_values", "reason", "ip", "channel", "org_path",
                   "hash_version", "prev_hash", "row_hash", "content_hash")
# canonical_json with one encoder built once (json.dumps builds one per call when given options).
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default).encode


def _read_rows(conn, where: str, after: int, limit: int) -> list[tuple]:
    """One batch of rows as ``_VERIFY_COLUMNS`` tuples, read with a plain cursor (no model, no converters):
    the time as its ISO text in UTC, the JSON values parsed, as the ORM would return them."""
    columns = ", ".join("id" if c == "pk" else c for c in _VERIFY_COLUMNS)
    table = conn.ops.quote_name(AuditEvent._meta.db_table)
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} LIMIT %s", [after, limit])  # noqa: S608
        raw = cursor.fetchall()
    if conn.vendor == "postgresql":  # timestamptz arrives as an aware datetime (the connection is in UTC)
        return [(*v[:2], v[2].isoformat(), *v[3:10], _json(v[10]), _json(v[11]), *v[12:]) for v in raw]
    # SQLite keeps the time in UTC without a zone (Django's converter returns it naive); isoformat() of the
    # aware value is the naive one's with "+00:00".
    return [(*v[:2], _naive_utc_iso(v[2]), *v[3:10], _json(v[10]), _json(v[11]), *v[12:]) for v in raw]


def _json(value: Any) -> Any:
    # Django has psycopg hand jsonb over as text (JSONField parses it); parse it here the same way.
    return json.loads(value) if isinstance(value, str) else value


def _naive_utc_iso(value: Any) -> str:
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00"
    return value.isoformat() + "+00:00"


def _content_of(v: tuple) -> dict[str, Any]:
    """``_content`` of a row read by :func:`_read_rows`."""
    return content_fields(v[0], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14],
                          v[15], v[16])


def _legacy_hash(key: bytes | None, version: int, prev_hash: str, content: dict[str, Any]) -> str:
    if version >= KEYED:
        return audit_row_hmac(key, prev_hash, content)
    plain = dict(content)
    plain.pop("org_path", None)
    plain.pop("v", None)
    return audit_row_hash(prev_hash, plain)


# What each kind of problem is called where people read it (the CLI, the API's ``label``).
PROBLEM_LABELS = {
    "gap": gettext_lazy("rows missing"),
    "broken_link": gettext_lazy("broken link"),
    "no_key": gettext_lazy("no audit key"),
    "downgraded": gettext_lazy("hash version downgraded"),
    "edited": gettext_lazy("content changed"),
    "missing_tail": gettext_lazy("newest rows missing"),
    "count_mismatch": gettext_lazy("row count does not match"),
    "truncated": gettext_lazy("truncated"),
    "checkpoint_mismatch": gettext_lazy("does not match the checkpoint"),
    "bad_checkpoint": gettext_lazy("invalid checkpoint"),
}


def problem_label(kind: str) -> str:
    return str(PROBLEM_LABELS.get(kind, kind))


class _Walk:
    """Where a walk along the sealed chain stands. A part of a parallel walk starts with ``prev_hash`` None:
    its first row's place and link are checked by the walk that joins the parts (``first`` records them)."""

    __slots__ = ("prev_hash", "last_seq", "last_id", "count", "newest_version", "at_checkpoint", "first",
                 "stopped")

    def __init__(self, prev_hash: str | None, last_seq: int = 0, newest_version: int = 0) -> None:
        self.prev_hash = prev_hash
        self.last_seq = last_seq
        self.last_id = 0
        self.count = 0
        self.newest_version = newest_version
        self.at_checkpoint: tuple[int, int, str] | None = None
        self.first: tuple[int, int, str] | None = None
        self.stopped = False


def _place_problems(walk: _Walk, seq: int, pk: int, prev: str) -> Iterator[ChainProblem]:
    """Does the sealed row ``seq`` follow where ``walk`` stands: the next number, linked to its last hash."""
    if seq != walk.last_seq + 1:
        yield ChainProblem(pk, "gap", _("Sealed rows %(a)d to %(b)d are missing.")
                           % {"a": walk.last_seq + 1, "b": seq - 1})
    if prev != walk.prev_hash:
        yield ChainProblem(pk, "broken_link", _("The previous hash does not match the preceding row."))


def _content_ok(key: bytes, v: tuple) -> bool:
    """A row of version 3 or later against its own keyed content hash (``content_hash``)."""
    return hmac.digest(key, b"kehu-audit-v3-row\x1e" + _ENCODE(_content_of(v)).encode("utf-8"),
                       "sha256").hex() == v[19]


def _no_key(pk: int) -> ChainProblem:
    return ChainProblem(pk, "no_key", _("KEHU_AUDIT_KEY is not set; keyed rows cannot be checked."))


def _walk_sealed(conn, walk: _Walk, *, key: bytes | None, keyed_from: int | None, cp_seq: int | None,
                 batch_size: int, last: int | None = None) -> Iterator[ChainProblem]:
    """Check the sealed rows after ``walk.last_seq`` (up to ``last``) in ``seal_seq`` order."""
    digest = hmac.digest
    seal_prefix = b"kehu-audit-v3-seal\x1e"
    # The end of a part is checked here, not in the WHERE clause: with an upper bound PostgreSQL may plan a
    # bitmap scan of the whole rest of the range and a sort for every batch (272 ms a batch instead of 3 ms,
    # measured on 1,000,000 rows with statistics from before the rows were written).
    while True:
        rows = _read_rows(conn, "seal_seq IS NOT NULL AND seal_seq > %s ORDER BY seal_seq", walk.last_seq, batch_size)
        if not rows:
            break
        for v in rows:
            pk, seq, version, prev, row_hash = v[0], v[1], v[16], v[17], v[18]
            if last is not None and seq > last:
                return
            walk.count += 1
            if walk.prev_hash is None:
                walk.first = (seq, pk, prev)
            else:
                yield from _place_problems(walk, seq, pk, prev)
            if version >= KEYED and not key:
                walk.stopped = True
                yield _no_key(pk)
                return
            if version >= SEALED:
                content_hash = v[19]
                good = (_content_ok(key, v)
                        and digest(key, seal_prefix + b"%s\x1e%d\x1e%s" % (prev.encode("ascii"), seq,
                                                                           content_hash.encode("ascii")),
                                   "sha256").hex() == row_hash)
            else:
                if walk.newest_version > version or (version < KEYED and keyed_from and pk >= keyed_from):
                    yield ChainProblem(pk, "downgraded", _("An older hash version where the chain is keyed."))
                good = _legacy_hash(key, version, prev, _content_of(v)) == row_hash
            if not good:
                yield ChainProblem(pk, "edited", _("The row's content does not match its hash."))
            walk.newest_version = max(walk.newest_version, version)
            walk.prev_hash, walk.last_seq, walk.last_id = row_hash, seq, pk
            if seq == cp_seq:
                walk.at_checkpoint = (walk.count, pk, row_hash)


def verify_part(*, first: int, last: int, newest_before: int, key: bytes, keyed_from: int | None,
                cp_seq: int | None, batch_size: int, using: str = "default") -> dict[str, Any]:
    """Check the sealed rows ``first`` .. ``last`` (sealed numbers) as one part of a parallel verification
    (:func:`verify_chain` with ``workers``); what joins the parts is returned with the part's problems."""
    walk = _Walk(None, last_seq=first - 1, newest_version=newest_before)
    problems = [(p.row_id, p.kind, p.detail) for p in _walk_sealed(
        connections[using], walk, key=key, keyed_from=keyed_from, cp_seq=cp_seq, batch_size=batch_size, last=last)]
    return {"problems": problems, "first": walk.first, "last": (walk.last_seq, walk.last_id, walk.prev_hash),
            "count": walk.count, "at_checkpoint": walk.at_checkpoint, "newest_version": walk.newest_version}


# Below this many sealed rows a parallel verification is not worth its processes' start (about a second each).
PARALLEL_MIN_ROWS = 200_000


def _walk_parallel(walk: _Walk, *, workers: int, key: bytes, keyed_from: int | None, cp_seq: int | None,
                   batch_size: int, using: str) -> Iterator[ChainProblem]:
    """The sealed chain cut into ``workers`` ranges of sealed numbers, each checked in its own process
    (each row's hashes need only the row and the previous row's hash, which the row itself carries); the
    parts are then joined in order, checking each part's first row against the previous part's last exactly
    as a single walk would, so the problems and their order are the single walk's."""
    conn = connections[using]
    table = conn.ops.quote_name(AuditEvent._meta.db_table)
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT MAX(seal_seq) FROM {table}")  # noqa: S608
        top = cursor.fetchone()[0] or 0
    size = -(-top // workers)
    bounds = [(lo, min(lo + size - 1, top)) for lo in range(1, top + 1, size)] if top else []
    # The newest hash version before each part (an older row after it is a downgrade): where each version first
    # appears in the chain, one probe per version along the seal_seq index that stops at its first row (a
    # MAX over each part's whole prefix read that prefix again for every part).
    first_of: dict[int, int] = {}
    with conn.cursor() as cursor:
        for version in range(1, SEALED + 1):
            cursor.execute(f"SELECT seal_seq FROM {table} WHERE seal_seq IS NOT NULL AND hash_version = %s "  # noqa: S608
                           "ORDER BY seal_seq LIMIT 1", [version])
            row = cursor.fetchone()
            if row is not None:
                first_of[version] = row[0]
    newest = [max((v for v, seq in first_of.items() if seq < lo), default=0) for lo, _hi in bounds]
    # kehu.core.audit_workers starts the processes (its module imports nothing of Django, see there)
    from kehu.core.audit_workers import run_parts

    parts = run_parts([{"first": lo, "last": hi, "newest_before": nb, "key": key, "keyed_from": keyed_from,
                        "cp_seq": cp_seq, "batch_size": batch_size} for (lo, hi), nb in zip(bounds, newest, strict=True)],
                      using=using)
    for part in parts:
        if part["first"] is not None:
            seq, pk, prev = part["first"]
            yield from _place_problems(walk, seq, pk, prev)
        for row_id, kind, detail in part["problems"]:
            yield ChainProblem(row_id, kind, detail)
        if part["at_checkpoint"] is not None:
            n, pk, row_hash = part["at_checkpoint"]
            walk.at_checkpoint = (walk.count + n, pk, row_hash)
        if part["count"]:
            walk.last_seq, walk.last_id, walk.prev_hash = part["last"]
            walk.count += part["count"]
            walk.newest_version = max(walk.newest_version, part["newest_version"])


def verify_chain(*, batch_size: int = 5000, checkpoint: dict | None | bool = True,
                 using: str = "default", workers: int = 1) -> Iterator[ChainProblem]:
    """Walk the sealed chain in ``seal_seq`` order, then check the pending rows; yield every problem found.

    An edited row fails its content hash (or, for rows of versions 1-2, its row hash); a deleted row
    leaves a gap in the sealed numbers and breaks the link of the next row; a reordered row (its id, place
    or link changed) fails its hashes or breaks a link; deleting the newest sealed rows is caught by the
    chain head and by the last checkpoint, which also pins the head hash at its time (a rewrite before it
    shows even if the rewriter held the key). Pending rows (committed, not yet sealed) are no problem as
    long as each one's keyed content hash verifies (:func:`chain_status` counts them). With
    ``checkpoint=True`` the last published checkpoint is read; pass one (or False) to choose. With
    ``workers`` > 1 the sealed rows are checked by that many processes (P12 scales with the cores; the rows
    must be committed, as the processes have their own connections).
    """
    key = getattr(settings, "KEHU_AUDIT_KEY", None)
    if checkpoint is True:
        checkpoint, problems = _last_checkpoint()
        yield from problems
    cp_seq = checkpoint["count"] if checkpoint and checkpoint.get("last_id") else None
    keyed_from = (checkpoint or {}).get("keyed_from") or None
    walk = _Walk(GENESIS_HASH)
    conn = connections[using]
    if workers > 1 and key:
        yield from _walk_parallel(walk, workers=workers, key=key, keyed_from=keyed_from, cp_seq=cp_seq,
                                  batch_size=batch_size, using=using)
    else:
        yield from _walk_sealed(conn, walk, key=key, keyed_from=keyed_from, cp_seq=cp_seq, batch_size=batch_size)
        if walk.stopped:
            return
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    if head is not None:
        if head.last_hash != walk.prev_hash or head.last_id != walk.last_id:
            yield ChainProblem(head.last_id or None, "missing_tail", _("The newest rows do not match the chain head."))
        if head.count != walk.count or head.count != walk.last_seq:
            yield ChainProblem(None, "count_mismatch", _("The chain head counts %(head)d rows; %(found)d were found.")
                               % {"head": head.count, "found": walk.count})
    if cp_seq:
        if walk.at_checkpoint is None:
            yield ChainProblem(checkpoint["last_id"], "truncated",
                               _("Row %(id)d of the checkpoint of %(at)s is gone.")
                               % {"id": checkpoint["last_id"], "at": checkpoint["at"]})
        else:
            rows_then, id_then, hash_then = walk.at_checkpoint
            if hash_then != checkpoint["head_hash"] or id_then != checkpoint["last_id"]:
                yield ChainProblem(checkpoint["last_id"], "checkpoint_mismatch",
                                   _("The chain up to the checkpoint of %(at)s was rewritten.")
                                   % {"at": checkpoint["at"]})
            if rows_then != checkpoint["count"]:
                yield ChainProblem(None, "truncated",
                                   _("The checkpoint of %(at)s counted %(n)d rows up to it; %(found)d were found.")
                                   % {"at": checkpoint["at"], "n": checkpoint["count"], "found": rows_then})
    # Pending rows: not chained yet, but each carries the keyed hash of its own content (id included).
    last_pending = 0
    while True:
        rows = _read_rows(conn, "seal_seq IS NULL AND id > %s ORDER BY id", last_pending, batch_size)
        if not rows:
            break
        for v in rows:
            last_pending = v[0]
            if v[16] < SEALED:
                yield ChainProblem(v[0], "edited", _("A row of an older hash version outside the chain."))
                continue
            if not key:
                yield _no_key(v[0])
                return
            if not _content_ok(key, v):
                yield ChainProblem(v[0], "edited", _("Pending row: the content does not match its hash."))


@dataclass(frozen=True)
class ChainStatus:
    sealed: int  # rows in the chain (the head's count)
    pending: int  # committed rows not sealed yet
    oldest_pending: Any  # the time of the oldest pending row, or None


def chain_status(*, using: str = "default") -> ChainStatus:
    """How far the sealer is: sealed rows and the pending tail (a crash between a commit and its seal leaves
    rows pending until the next seal; they are not tampering)."""
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    pending = AuditEvent.objects.using(using).filter(seal_seq__isnull=True)
    oldest = pending.order_by("pk").values_list("ts", flat=True).first()
    return ChainStatus(sealed=head.count if head else 0, pending=pending.count(), oldest_pending=oldest)


# ------------------------------------------------------------------------------------------ checkpoints


def checkpoint_path() -> Path | None:
    directory = getattr(settings, "KEHU_AUDIT_CHECKPOINT_DIR", None)
    return Path(directory) / CHECKPOINT_FILE if directory else None


def publish_checkpoint() -> dict:
    """Sign the chain head (last id, head hash, count, time, first keyed row) and append it to the
    checkpoint file outside the database, and send it to syslog when ``KEHU_AUDIT_SYSLOG`` is set.

    Returns the checkpoint. The file is append-only for kehu (``O_APPEND``, mode 0600); point
    ``KEHU_AUDIT_CHECKPOINT_DIR`` at storage the database administrator cannot write."""
    key = audit_key()
    path = checkpoint_path()
    if path is None:
        raise ImproperlyConfigured("KEHU_AUDIT_CHECKPOINT_DIR is not set; there is nowhere to publish checkpoints")
    seal()  # the checkpoint covers every row committed so far
    with transaction.atomic():
        # Under the head lock: no row can be sealed between reading the head and counting.
        head = _lock_head()
        first_keyed = AuditEvent.objects.filter(hash_version__gte=KEYED).order_by("pk").values_list(
            "pk", flat=True).first()
        body = {"v": 1, "last_id": head.last_id, "head_hash": head.last_hash, "count": head.count,
                "at": timezone.now().isoformat(), "keyed_from": first_keyed}
    line = canonical_json({**body, "sig": checkpoint_signature(key, body)})
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _send_to_syslog(line)
    return body


def _send_to_syslog(line: str) -> None:
    target = getattr(settings, "KEHU_AUDIT_SYSLOG", None)
    if not target:
        return
    address: Any = target
    if ":" in target and not target.startswith("/"):
        host, _sep, port = target.rpartition(":")
        address = (host, int(port))
    handler = logging.handlers.SysLogHandler(address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH)
    try:
        handler.emit(logging.makeLogRecord({"msg": "kehu-audit-checkpoint " + line, "levelno": logging.INFO,
                                            "levelname": "INFO", "name": "kehu.audit"}))
    finally:
        handler.close()


def read_checkpoints() -> tuple[list[dict], list[ChainProblem]]:
    """Every checkpoint in the file whose signature verifies, and a problem for each that does not."""
    path = checkpoint_path()
    key = getattr(settings, "KEHU_AUDIT_KEY", None)
    if path is None or not path.exists() or not key:
        return [], []
    good, bad = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            sig = data.pop("sig")
            valid = isinstance(data.get("last_id"), int) and sig == checkpoint_signature(key, data)
        except (ValueError, KeyError, TypeError, AttributeError):
            valid = False
        if valid:
            good.append(data)
        else:
            bad.append(ChainProblem(None, "bad_checkpoint", _("Line %(n)d of %(path)s is not signed by the audit key.")
                                    % {"n": number, "path": path}))
    return good, bad


def _checkpoint_slot(now):
    # core.params and core.scheduler import core.audit: importing them at the top would be a cycle
    from kehu.core.params import get_param
    from kehu.core.scheduler import every_slot

    return every_slot(now, minutes=int(get_param("audit.checkpoint_minutes", on=now.date())))


def _checkpoint_run(slot: str, now) -> dict:
    # The periodic sealer too: rows a crashed process committed but never sealed are chained here.
    sealed = seal()
    if checkpoint_path() is None:
        return {"published": False, "sealed": sealed, "why": "KEHU_AUDIT_CHECKPOINT_DIR is not set"}
    body = publish_checkpoint()
    return {"published": True, "last_id": body["last_id"], "count": body["count"]}


def _make_checkpoint_job():
    # core.params and core.scheduler import core.audit: importing them at the top would be a cycle
    from kehu.core.params import ParamSpec
    from kehu.core.scheduler import Job

    params = [ParamSpec("audit.checkpoint_minutes", 15, "minutes", "proposed", "domain spec I-8 (export logs)",
                        "How often a signed checkpoint of the audit chain is published.", int)]
    return Job("core.audit_checkpoint", gettext_lazy("Audit chain checkpoint"), _checkpoint_slot,
               _checkpoint_run), params


def _last_checkpoint() -> tuple[dict | None, list[ChainProblem]]:
    good, bad = read_checkpoints()
    return (max(good, key=lambda c: c["last_id"]) if good else None), bad


CHECKPOINT_JOB, CHECKPOINT_PARAMS = _make_checkpoint_job()


def db_vendor() -> str:
    return connection.vendor
