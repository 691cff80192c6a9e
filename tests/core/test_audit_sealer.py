"""The audit log without a global lock (issue 17): writers append pending rows, the sealer chains them after
commit. Real threads write concurrently; tampering is detected in the sealed chain and among pending rows; a
process that dies between its commit and its seal leaves pending rows that verify as pending, and the next
seal chains them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from django.db import connection, transaction

from concurrency import run_together
from kehu.core.audit import (
    SEALED,
    AuditEntry,
    Event,
    audit_record,
    audit_record_many,
    chain_status,
    publish_checkpoint,
    seal,
    seal_at_end,
    verify_chain,
)
from kehu.core.models import AuditChainHead, AuditEvent

TABLE = AuditEvent._meta.db_table


def problems():
    return [(p.row_id, p.kind) for p in verify_chain()]


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def write(n: int, *, start: int = 0) -> list[int]:
    ids = []
    for i in range(start, start + n):
        with transaction.atomic():
            ids.append(audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=i,
                                    new={"i": i}).pk)
    return ids


def sealed_ids() -> list[int]:
    return list(AuditEvent.objects.filter(seal_seq__isnull=False).order_by("seal_seq").values_list("pk", flat=True))


def test_concurrent_writers_on_real_threads_produce_one_valid_chain(tworld):
    before = AuditEvent.objects.count()

    def writer(t: int):
        def run():
            for i in range(15):
                with transaction.atomic():
                    audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="thread", object_id=t,
                                 new={"t": t, "i": i})
                    if i % 5 == 0:  # some transactions write several rows, some import a batch
                        audit_record_many(actor=None, entries=[AuditEntry(Event.ADMIN_CHANGE, "batch", f"{t}-{i}-{j}")
                                                               for j in range(3)])
            return t
        return run

    outcomes = run_together([writer(t) for t in range(8)])
    assert [kind for kind, _value in outcomes] == ["ok"] * 8, outcomes
    seal()  # a seal that lost its try-lock race leaves nothing behind: at most the next seal is needed
    total = AuditEvent.objects.count()
    assert total == before + 8 * (15 + 3 * 3)
    status = chain_status()
    assert (status.sealed, status.pending) == (total, 0)
    seqs = list(AuditEvent.objects.order_by("seal_seq").values_list("seal_seq", flat=True))
    assert seqs == list(range(1, total + 1))
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEvent.objects.get(seal_seq=total)
    assert (head.last_id, head.last_hash, head.count) == (last.pk, last.row_hash, total)
    assert problems() == []


def test_rows_are_sealed_after_their_commit_and_not_before(tworld):
    seal()
    with transaction.atomic():
        row = audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=1)
        inside = AuditEvent.objects.get(pk=row.pk).seal_seq
        if connection.vendor == "postgresql":
            assert inside is None  # pending inside the writer's transaction: no lock taken
        else:
            assert inside is not None  # SQLite: the writer holds the database's write lock and seals itself
    sealed = AuditEvent.objects.get(pk=row.pk)
    assert sealed.seal_seq == AuditChainHead.objects.get(pk=1).count and sealed.hash_version == SEALED
    assert problems() == []


def test_rows_sealed_at_the_end_of_a_block_get_the_chain_that_sealing_each_row_gives(tworld):
    """seal_at_end (the demo loaders): on SQLite the rows stay pending inside the block and are sealed when it
    ends, still inside the transaction, in id order after the rows before them: the chain verifies."""
    before = write(2)
    with transaction.atomic():
        with seal_at_end():
            ids = write(4, start=2)
            with seal_at_end():  # nested: the outer block seals
                ids += write(1, start=6)
            if connection.vendor == "sqlite":
                assert AuditEvent.objects.filter(pk__in=ids, seal_seq__isnull=True).count() == 5
        if connection.vendor == "sqlite":
            assert AuditEvent.objects.filter(pk__in=ids, seal_seq__isnull=True).count() == 0
    after = write(1, start=7)
    assert sealed_ids()[-8:] == before + ids + after
    assert problems() == [] and chain_status().pending == 0
    # A block that raises seals nothing: its rows roll back with the transaction.
    with pytest.raises(RuntimeError), transaction.atomic(), seal_at_end():
        write(2, start=8)
        raise RuntimeError("the load failed")
    assert problems() == [] and chain_status().pending == 0 and sealed_ids()[-1] == after[-1]
    with pytest.raises(RuntimeError, match="inside transaction.atomic"), seal_at_end():
        pass


def test_a_rolled_back_writer_leaves_no_gap_in_the_chain(tworld):
    write(3)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="test", object_id="rolled back")
        raise RuntimeError("the change failed")
    write(2, start=3)
    assert problems() == [] and chain_status().pending == 0


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "truncate"])
def test_tampering_with_sealed_rows_is_detected(tworld, tamper):
    ids = write(8)
    publish_checkpoint_if_possible = tamper == "truncate"
    if publish_checkpoint_if_possible:
        publish_checkpoint()
    order = sealed_ids()
    target = order[-5]
    if tamper == "edit":
        sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["改过", target])
        assert problems() == [(target, "edited")]
    elif tamper == "delete":
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [target])
        found = problems()
        following = order[order.index(target) + 1]
        assert (following, "gap") in found and (following, "broken_link") in found
        assert (None, "count_mismatch") in found
    elif tamper == "reorder":
        # Swap the places of two sealed rows: each now sits where its link does not fit.
        a, b = target, order[order.index(target) + 1]
        seq_a, seq_b = (AuditEvent.objects.get(pk=x).seal_seq for x in (a, b))
        AuditEvent.objects.filter(pk=a).update(seal_seq=-1)
        AuditEvent.objects.filter(pk=b).update(seal_seq=seq_a)
        AuditEvent.objects.filter(pk=a).update(seal_seq=seq_b)
        assert {row for row, _kind in problems()} >= {a, b}
    else:
        # The newest rows deleted and the head fixed to match: the checkpoint still knows the old end.
        keep = order[:-3]
        sql(f"DELETE FROM {TABLE} WHERE id IN ({', '.join(['%s'] * 3)})", order[-3:])
        last = AuditEvent.objects.get(pk=keep[-1])
        AuditChainHead.objects.filter(pk=1).update(last_id=last.pk, last_hash=last.row_hash, count=last.seal_seq)
        assert problems() == [(order[-1], "truncated")]
    assert ids


def crash_after_commit(monkeypatch):
    """The process stops between its commit and its seal: the after-commit seal never runs."""
    import kehu.core.audit as audit

    monkeypatch.setattr(audit, "seal", lambda **kwargs: 0)
    # Nor does a SQLite writer's own sealed insert (it leaves a pending row for the general path instead).
    monkeypatch.setattr(audit, "_append_sealed_sqlite", lambda *args: False)


@pytest.mark.parametrize("tamper", ["edit", "reorder"])
def test_tampering_with_pending_rows_is_detected(tworld, monkeypatch, tamper):
    write(3)
    crash_after_commit(monkeypatch)
    pending = write(3, start=3)
    monkeypatch.undo()
    assert chain_status().pending == 3 and problems() == []
    if tamper == "edit":
        sql(f"UPDATE {TABLE} SET object_id = %s WHERE id = %s", ["99", pending[1]])
        assert problems() == [(pending[1], "edited")]
    else:
        # Two pending rows swap ids: the id is inside each row's keyed hash.
        sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [10**9, pending[0]])
        sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [pending[0], pending[1]])
        sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [pending[1], 10**9])
        assert set(problems()) == {(pending[0], "edited"), (pending[1], "edited")}
    # Sealing does not launder the change: the sealed row still fails its content hash.
    seal()
    assert chain_status().pending == 0
    assert {kind for _row, kind in problems()} == {"edited"}


def test_a_forged_pending_row_without_the_key_is_detected(tworld):
    write(2)
    row = AuditEvent.objects.order_by("-id").first()
    row.pk, row.seal_seq, row.object_id, row.content_hash = None, None, "forged", "0" * 64
    row.save(force_insert=True)
    assert problems() == [(row.pk, "edited")]
    seal()
    assert (row.pk, "edited") in problems()


def test_unsealing_a_sealed_row_is_detected(tworld):
    order = sealed_ids() or write(4)
    order = sealed_ids()
    target = order[len(order) // 2]
    AuditEvent.objects.filter(pk=target).update(seal_seq=None, prev_hash="", row_hash="")
    kinds = {kind for _row, kind in problems()}
    assert {"gap", "broken_link", "count_mismatch"} <= kinds


def test_a_crash_between_commit_and_seal_leaves_pending_rows_that_the_next_seal_chains(tworld, monkeypatch):
    write(4)
    crash_after_commit(monkeypatch)
    pending = write(5, start=4)
    monkeypatch.undo()
    status = chain_status()
    assert status.pending == 5 and status.oldest_pending is not None
    assert problems() == []  # pending, not tampering
    assert seal() == 5
    assert chain_status().pending == 0
    assert sealed_ids()[-5:] == pending
    assert problems() == []


def test_a_process_killed_after_its_commit_leaves_pending_rows(tworld, tmp_path):
    """A real process dies (os._exit) right after its commit, before its seal; `kehu audit verify` reports
    the rows as pending and exits 0; `kehu audit seal` chains them."""
    from tests.conftest import cli_env

    if connection.vendor == "sqlite":
        pytest.skip("SQLite writers seal inside their own transaction: nothing lies between commit and seal")
    env = cli_env()
    script = textwrap.dedent("""
        import os
        import django
        django.setup()
        from django.db import transaction
        from kehu.core.audit import Event, audit_record
        with transaction.atomic():
            transaction.on_commit(lambda: os._exit(9))  # runs first: after the commit, before the seal
            for i in range(3):
                audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="crash", object_id=i)
    """)
    env["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 9, result.stderr
    assert AuditEvent.objects.filter(object_type="crash").count() == 3
    assert chain_status().pending == 3
    verify = subprocess.run([sys.executable, "-m", "kehu.cli", "audit", "verify"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "3 rows are committed but not sealed" in verify.stdout
    sealed = subprocess.run([sys.executable, "-m", "kehu.cli", "audit", "seal"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert sealed.returncode == 0 and "Sealed 3 pending rows" in sealed.stdout, sealed.stdout + sealed.stderr
    assert chain_status().pending == 0 and problems() == []


def test_the_scheduled_checkpoint_job_seals_pending_rows(tworld, monkeypatch):
    from django.utils import timezone

    from kehu.core.scheduler import run_due

    crash_after_commit(monkeypatch)
    write(3)
    monkeypatch.undo()
    assert chain_status().pending == 3
    outcomes = run_due(now=timezone.now(), only=["core.audit_checkpoint"])
    assert [o.state for o in outcomes] == ["done"]
    assert chain_status().pending == 0 and problems() == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the lone writer's sealed insert is SQLite's")
def test_a_sqlite_writer_inserts_its_row_sealed_with_the_same_chain_as_the_sealer_gives(tworld, monkeypatch):
    """A SQLite writer holds the only write lock: its row goes in already sealed (one INSERT, one UPDATE of the
    head, two reads, the id reserved), and the chain verifies exactly as one built by the general sealer does;
    a row left pending before it makes the writer take the general path, which seals both in id order."""
    from django.test.utils import CaptureQueriesContext

    write(2)
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        row = audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="test", object_id="fast",
                           new={"fast": True})
        assert row.seal_seq is not None
    writes = [q["sql"] for q in ctx.captured_queries
              if not q["sql"].startswith(("SELECT", "SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]
    assert len(writes) == 2, writes  # the sealed INSERT and the head's UPDATE
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.count) == (row.pk, row.seal_seq)
    assert AuditEvent.objects.get(pk=row.pk).row_hash == head.last_hash
    assert problems() == []

    crash_after_commit(monkeypatch)
    left = write(1, start=10)
    monkeypatch.undo()
    assert AuditEvent.objects.get(pk=left[0]).seal_seq is None
    after = write(1, start=11)
    assert sealed_ids()[-2:] == [left[0], after[0]]
    assert problems() == []


def test_a_batch_stores_and_hashes_each_row_as_audit_record_does(world):
    """audit_record_many builds no model instance per row (P11); every column but the id, the time and the
    hashes that cover them must still be what audit_record stores, and the chain must verify."""
    import datetime
    from decimal import Decimal

    from kehu.customers.events import CustomerEvent

    customer = world.enterprise()
    cases = [
        dict(event_code=CustomerEvent.CUSTOMER_CREATED, object_type="customer", object_id=customer.pk,
             customer_id=customer.pk, new={"a": Decimal("1.50"), "d": datetime.date(2024, 1, 2), "t": (1, 2)},
             channel="import"),
        dict(event_code=Event.ADMIN_CHANGE, object_type="", object_id="", old={"x": None}, new=None, reason="why"),
        dict(event_code=Event.ADMIN_CHANGE, object_type="test", object_id=7, customer_id=None, channel="web"),
    ]
    columns = ["actor_id", "actor_name", "event_code", "event", "object_type", "object_id", "customer_id",
               "old_values", "new_values", "reason", "ip", "channel", "org_path", "hash_version"]
    with transaction.atomic():
        one = [audit_record(actor=world.bj_cm, **case).pk for case in cases]
        many_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        audit_record_many(actor=world.bj_cm, entries=[AuditEntry(
            c["event_code"], c["object_type"], c["object_id"], customer_id=c.get("customer_id"), old=c.get("old"),
            new=c.get("new"), reason=c.get("reason", ""), channel=c.get("channel", "")) for c in cases])
    seal()
    many = list(AuditEvent.objects.filter(pk__gt=many_before).order_by("pk").values_list("pk", flat=True))
    assert len(many) == len(cases)
    for a, b in zip(one, many, strict=True):
        assert (list(AuditEvent.objects.filter(pk=a).values_list(*columns))
                == list(AuditEvent.objects.filter(pk=b).values_list(*columns)))
    assert problems() == []
