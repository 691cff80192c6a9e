"""The append-only, keyed hash chain of the audit log, and its signed checkpoints.

Every service write calls :func:`audit_record` inside its own transaction, so the audit row commits or
rolls back with the change it describes. Event codes are stable integers grouped by area:
1xxx core (auth, users, org, parameters, keys), 2xxx customers and admission.

All code of the chain lives in this module (appending, verifying, checkpoints), so that replacing the
head-row lock by a sealer (issue 17) stays a change here.

Rows written since the keyed chain (``hash_version`` 2) carry ``HMAC-SHA256(audit key, prev_hash ‖ row)``;
older rows (version 1) keep their plain SHA-256 and are verified as they were. The first keyed row
chains to the last plain one, so its HMAC also seals the whole plain prefix: from the switch on, a
rewrite of an old row breaks a link nobody can recompute without the key. The audit key is never in the
database (``KEHU_AUDIT_KEY``/``KEHU_AUDIT_KEY_FILE``). :func:`publish_checkpoint` writes the signed head
(last id, hash, count, time, first keyed id) to a file outside the database and, optionally, to syslog;
:func:`verify_chain` checks the rows against the last checkpoint too, which catches a truncation, or a
rewrite by someone who holds the key but not the checkpoint file.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from kehu.core.models import AuditChainHead, AuditEvent, User
from kehu.core.rules import GENESIS_HASH, audit_row_hash, audit_row_hmac, canonical_json, checkpoint_signature

logger = logging.getLogger(__name__)
KEYED = 2
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
    """The fields a row's hash covers: everything but the hashes themselves (keyed rows add their org
    path and version, so that moving a row out of an auditor's sight is detected too)."""
    content = _plain_content(row)
    if row.hash_version >= KEYED:
        content.update(org_path=row.org_path, v=row.hash_version)
    return content


def _plain_content(row: AuditEvent) -> dict[str, Any]:
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
    org_path: str | None = None,
    using: str = "default",
) -> AuditEvent:
    """Append one audit row, chained to the previous one. Must run inside the caller's transaction.

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
    head = _lock_head(using)
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
        org_path=org_path or "",
        hash_version=KEYED,
        prev_hash=head.last_hash,
        row_hash="",
    )
    row.save(force_insert=True, using=using)
    # The id is part of the hash, so a row moved to another position no longer verifies.
    row.row_hash = audit_row_hmac(key, head.last_hash, _content(row))
    AuditEvent.objects.using(using).filter(pk=row.pk).update(row_hash=row.row_hash)
    AuditChainHead.objects.using(using).filter(pk=head.pk).update(last_id=row.pk, last_hash=row.row_hash,
                                                                  count=head.count + 1)
    return row


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
    from django.apps import apps

    if customer_id is not None and apps.is_installed("kehu.customers"):
        path = apps.get_model("customers", "Customer").objects.using(using).filter(pk=customer_id).values_list(
            "org_path", flat=True).first()
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


def verify_chain(*, batch_size: int = 5000, checkpoint: dict | None | bool = True,
                 using: str = "default") -> Iterator[ChainProblem]:
    """Walk the chain in id order and yield every problem found.

    An edited row fails its own hash; a deleted or reordered row breaks the link to its neighbour;
    deleting the newest rows is caught by the chain head and by the last checkpoint, which also pins
    the head hash at its time (a rewrite before it shows even if the rewriter held the key). With
    ``checkpoint=True`` the last published checkpoint is read; pass one (or False) to choose.
    """
    key = getattr(settings, "KEHU_AUDIT_KEY", None)
    problems: list[ChainProblem] = []
    if checkpoint is True:
        checkpoint, problems = _last_checkpoint()
        yield from problems
    prev_hash = GENESIS_HASH
    last_id = 0
    count = 0
    keyed_seen = False
    at_checkpoint: tuple[int, str] | None = None
    while True:
        rows = list(AuditEvent.objects.using(using).filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not rows:
            break
        for row in rows:
            count += 1
            if row.prev_hash != prev_hash:
                yield ChainProblem(row.pk, "broken_link", "previous hash does not match the preceding row")
            if row.hash_version >= KEYED:
                keyed_seen = True
                if not key:
                    yield ChainProblem(row.pk, "no_key", "KEHU_AUDIT_KEY is not set; keyed rows cannot be checked")
                    return
                expected = audit_row_hmac(key, row.prev_hash, _content(row))
            else:
                if keyed_seen or (checkpoint and checkpoint.get("keyed_from") and row.pk >= checkpoint["keyed_from"]):
                    yield ChainProblem(row.pk, "downgraded", "a plain-hashed row where the chain is keyed")
                expected = audit_row_hash(row.prev_hash, _plain_content(row))
            if expected != row.row_hash:
                yield ChainProblem(row.pk, "edited", "row content does not match its hash")
            prev_hash = row.row_hash
            last_id = row.pk
            if checkpoint and row.pk == checkpoint["last_id"]:
                at_checkpoint = (count, row.row_hash)
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    if head is not None:
        if head.last_hash != prev_hash or head.last_id != last_id:
            yield ChainProblem(head.last_id or None, "missing_tail", "the newest rows do not match the chain head")
        if head.count != count:
            yield ChainProblem(None, "count_mismatch", f"chain head counts {head.count} rows, found {count}")
    if checkpoint and checkpoint["last_id"]:
        if at_checkpoint is None:
            yield ChainProblem(checkpoint["last_id"], "truncated",
                               f"row {checkpoint['last_id']} of the checkpoint of {checkpoint['at']} is gone")
        else:
            rows_then, hash_then = at_checkpoint
            if hash_then != checkpoint["head_hash"]:
                yield ChainProblem(checkpoint["last_id"], "checkpoint_mismatch",
                                   f"the chain up to the checkpoint of {checkpoint['at']} was rewritten")
            if rows_then != checkpoint["count"]:
                yield ChainProblem(None, "truncated", f"the checkpoint of {checkpoint['at']} counted "
                                                      f"{checkpoint['count']} rows up to it, found {rows_then}")


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
    with transaction.atomic():
        # Under the head lock: no row can be appended between reading the head and counting.
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
    import logging.handlers

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
            bad.append(ChainProblem(None, "bad_checkpoint", f"line {number} of {path} is not signed by the audit key"))
    return good, bad


def _checkpoint_slot(now):
    from kehu.core.params import get_param
    from kehu.core.scheduler import every_slot

    return every_slot(now, minutes=int(get_param("audit.checkpoint_minutes", on=now.date())))


def _checkpoint_run(slot: str, now) -> dict:
    if checkpoint_path() is None:
        return {"published": False, "why": "KEHU_AUDIT_CHECKPOINT_DIR is not set"}
    body = publish_checkpoint()
    return {"published": True, "last_id": body["last_id"], "count": body["count"]}


def _make_checkpoint_job():
    from django.utils.translation import gettext_lazy

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
