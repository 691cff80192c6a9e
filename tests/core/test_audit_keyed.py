"""The keyed audit chain and its signed checkpoints (issue 11): what an insider with database write
access can no longer hide, and how rows of the plain chain stay verifiable."""

from __future__ import annotations

import json
import socket

import pytest
from django.db import connection, transaction

from kehu.core.audit import (
    KEYED,
    SEALED,
    Event,
    _content,
    _plain_content,
    audit_key,
    audit_record,
    checkpoint_path,
    content_hmac,
    link_hmac,
    publish_checkpoint,
    seal,
    verify_chain,
)
from kehu.core.models import AuditChainHead, AuditEvent
from kehu.core.rules import GENESIS_HASH, audit_row_hash, audit_row_hmac

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

TABLE = AuditEvent._meta.db_table


def problems():
    return [(p.row_id, p.kind) for p in verify_chain()]


def kinds():
    return {p.kind for p in verify_chain()}


def history(world, n=12):
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=world.admin, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=i,
                         new={"i": i})
    seal()  # what the sealer does after each commit (the test's transaction never commits)
    return list(AuditEvent.objects.order_by("id"))


def rechain(rows, *, hasher, version):
    """What an insider does after an edit: recompute every hash from the first row and fix the head."""
    prev = GENESIS_HASH
    for row in rows:
        row.hash_version = version
        row.prev_hash = prev
        row.row_hash = hasher(prev, _content(row) if version >= KEYED else _plain_content(row))
        AuditEvent.objects.filter(pk=row.pk).update(hash_version=version, prev_hash=prev, row_hash=row.row_hash)
        prev = row.row_hash
    AuditChainHead.objects.filter(pk=1).update(last_id=rows[-1].pk, last_hash=prev, count=len(rows))


def test_new_rows_are_keyed_and_verify(world):
    rows = history(world)
    assert all(r.hash_version == SEALED for r in rows)
    assert [r.seal_seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.content_hash == content_hmac(audit_key(), _content(r)) for r in rows)
    assert all(r.row_hash == link_hmac(audit_key(), r.prev_hash, r.seal_seq, r.content_hash) for r in rows)
    assert problems() == []


def test_recomputing_the_chain_without_the_key_is_detected(world):
    rows = history(world)
    AuditEvent.objects.filter(pk=rows[3].pk).update(reason="无事发生")
    rows[3].reason = "无事发生"
    # The insider recomputes every hash with plain SHA-256, keeping the rows marked as keyed...
    rechain(rows, hasher=audit_row_hash, version=KEYED)
    assert {r for r, k in problems() if k == "edited"} == {r.pk for r in rows}


def test_downgrading_the_chain_to_plain_hashes_is_caught_by_the_checkpoint(world):
    rows = history(world)
    publish_checkpoint()
    AuditEvent.objects.filter(pk=rows[3].pk).update(reason="无事发生")
    rows[3].reason = "无事发生"
    # ...or marks them all as old plain rows and recomputes a perfect plain chain.
    rechain(rows, hasher=audit_row_hash, version=1)
    found = kinds()
    assert "downgraded" in found and "checkpoint_mismatch" in found


def test_a_rewrite_with_the_key_is_caught_by_the_checkpoint(world):
    rows = history(world)
    publish_checkpoint()
    AuditEvent.objects.filter(pk=rows[2].pk).update(reason="改写")
    rows[2].reason = "改写"
    key = audit_key()
    rechain(rows, hasher=lambda prev, content: audit_row_hmac(key, prev, content), version=KEYED)
    assert problems() == [(rows[-1].pk, "checkpoint_mismatch")]


def test_truncating_the_newest_rows_and_fixing_the_head_is_caught_by_the_checkpoint(world):
    rows = history(world)
    publish_checkpoint()
    keep = rows[:-3]
    AuditEvent.objects.filter(pk__gt=keep[-1].pk).delete()
    AuditChainHead.objects.filter(pk=1).update(last_id=keep[-1].pk, last_hash=keep[-1].row_hash, count=len(keep))
    assert problems() == [(rows[-1].pk, "truncated")]


def test_rows_after_the_checkpoint_verify_and_a_reorder_is_reported(world):
    rows = history(world)
    publish_checkpoint()
    history(world, 3)
    assert problems() == []
    # Swap the ids of two rows (a reorder): each now sits where its links and hash do not fit.
    first, second = rows[4].pk, rows[5].pk
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [10**9, first])
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [first, second])
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [second, 10**9])
    found = problems()
    assert {r for r, _k in found} >= {first, second}


def test_a_forged_checkpoint_line_is_reported(world):
    history(world)
    publish_checkpoint()
    path = checkpoint_path()
    body = json.loads(path.read_text().splitlines()[-1])
    body.update(last_id=1, count=1, sig="0" * 64)
    with path.open("a") as handle:
        handle.write(json.dumps(body) + "\n")
    assert (None, "bad_checkpoint") in problems()


def test_the_checkpoint_file_is_private_and_signed(world):
    history(world)
    body = publish_checkpoint()
    path = checkpoint_path()
    assert path.stat().st_mode & 0o777 == 0o600
    line = json.loads(path.read_text().splitlines()[-1])
    head = AuditChainHead.objects.get(pk=1)
    assert (line["last_id"], line["head_hash"], line["count"]) == (head.last_id, head.last_hash, head.count)
    assert line["keyed_from"] == AuditEvent.objects.order_by("id").first().pk
    assert body["at"] == line["at"] and len(line["sig"]) == 64


def test_a_checkpoint_also_goes_to_syslog(world, settings):
    history(world, 2)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        settings.KEHU_AUDIT_SYSLOG = f"127.0.0.1:{server.getsockname()[1]}"
        body = publish_checkpoint()
        message = server.recv(65536).decode("utf-8")
    assert "kehu-audit-checkpoint" in message and body["head_hash"] in message


def test_plain_rows_written_before_the_switch_stay_verifiable_and_protected(world):
    """A database from before the keyed chain: its rows keep their plain SHA-256 and the first keyed row
    links to the last plain one, so the key seals the old rows too."""
    rows = history(world)
    old, new = rows[:6], rows[6:]
    rechain(old, hasher=audit_row_hash, version=1)
    key = audit_key()
    prev = old[-1].row_hash
    for row in new:
        row.hash_version = KEYED  # rows written under the head lock, before the sealer
        row.prev_hash = prev
        row.row_hash = audit_row_hmac(key, prev, _content(row))
        AuditEvent.objects.filter(pk=row.pk).update(prev_hash=prev, row_hash=row.row_hash, hash_version=KEYED)
        prev = row.row_hash
    AuditChainHead.objects.filter(pk=1).update(last_id=rows[-1].pk, last_hash=prev, count=len(rows))
    assert problems() == []
    # An insider rewrites an old plain row and recomputes the plain prefix: the first keyed row breaks.
    AuditEvent.objects.filter(pk=old[2].pk).update(reason="旧账改写")
    old[2].reason = "旧账改写"
    rechain(old, hasher=audit_row_hash, version=1)
    AuditChainHead.objects.filter(pk=1).update(last_id=rows[-1].pk, last_hash=prev, count=len(rows))
    assert problems() == [(new[0].pk, "broken_link")]


def test_the_scheduled_job_publishes_a_checkpoint(world):
    from django.utils import timezone

    from kehu.core.scheduler import run_due

    history(world, 2)
    outcomes = run_due(now=timezone.now(), only=["core.audit_checkpoint"])
    assert [o.state for o in outcomes] == ["done"]
    assert checkpoint_path().exists()
    assert problems() == []


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_verify_without_any_checkpoint_still_finds_edits_and_deletes(world, tamper):
    rows = history(world)
    if tamper == "edit":
        AuditEvent.objects.filter(pk=rows[5].pk).update(object_id="99")
        assert problems() == [(rows[5].pk, "edited")]
    else:
        AuditEvent.objects.filter(pk=rows[5].pk).delete()
        assert (rows[6].pk, "broken_link") in problems()
