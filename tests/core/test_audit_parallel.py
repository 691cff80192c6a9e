"""A parallel verification (``verify_chain(workers=N)``, ``kehu audit verify --workers N``) finds exactly the
problems of a single walk, in the same order, whatever was done to the chain and wherever the ranges of its
processes are cut: an edit, a deletion at a cut, a whole range deleted, rows swapped across a cut, an older hash
version after newer ones, a truncation against the checkpoint."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection, transaction

from kehu.core.audit import Event, audit_record, problem_label, publish_checkpoint, verify_chain
from kehu.core.models import AuditChainHead, AuditEvent

TABLE = AuditEvent._meta.db_table
ROWS = 30
WORKERS = 3  # ranges of 10 sealed rows (plus those the world wrote)


@pytest.fixture
def children_env(monkeypatch):
    """The spawned processes read kehu's settings from the environment, as a `kehu` command would."""
    from tests.conftest import cli_env

    for name, value in cli_env().items():
        monkeypatch.setenv(name, value)


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def walk(workers: int) -> list[tuple]:
    return [(p.row_id, p.kind, p.detail) for p in verify_chain(workers=workers)]


def by_seq() -> list[int]:
    return list(AuditEvent.objects.filter(seal_seq__isnull=False).order_by("seal_seq").values_list("pk", flat=True))


@pytest.mark.parametrize("tamper", ["none", "edit", "delete_at_cut", "delete_range", "swap_across_cut",
                                    "older_version", "truncate"])
def test_parallel_verification_finds_what_one_walk_finds(tworld, children_env, tamper):
    for i in range(ROWS):
        with transaction.atomic():
            audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=i, new={"i": i})
    order = by_seq()
    third = len(order) // WORKERS + (len(order) % WORKERS > 0)  # the size of each process's range
    if tamper == "truncate":
        publish_checkpoint()
    if tamper == "edit":
        sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["改过", order[third + 2]])
    elif tamper == "delete_at_cut":  # the last row of the first range and the first of the second
        sql(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [order[third - 1], order[third]])
    elif tamper == "delete_range":  # the second process finds nothing at all
        sql(f"DELETE FROM {TABLE} WHERE seal_seq > %s AND seal_seq <= %s", [third, 2 * third])
    elif tamper == "swap_across_cut":
        a, b = order[third - 1], order[third]
        seq_a, seq_b = (AuditEvent.objects.get(pk=x).seal_seq for x in (a, b))
        AuditEvent.objects.filter(pk=a).update(seal_seq=-1)
        AuditEvent.objects.filter(pk=b).update(seal_seq=seq_a)
        AuditEvent.objects.filter(pk=a).update(seal_seq=seq_b)
    elif tamper == "older_version":  # in the last range: only the rows before it say the chain is keyed
        AuditEvent.objects.filter(pk=order[2 * third + 1]).update(hash_version=1)
    elif tamper == "truncate":
        sql(f"DELETE FROM {TABLE} WHERE id IN (%s, %s, %s)", order[-3:])
        last = AuditEvent.objects.get(pk=order[-4])
        AuditChainHead.objects.filter(pk=1).update(last_id=last.pk, last_hash=last.row_hash, count=last.seal_seq)

    single = walk(1)
    assert walk(WORKERS) == single
    assert (single == []) == (tamper == "none"), single
    if tamper != "none":
        # the details are in Chinese, as are the kinds' names
        assert all(not detail.isascii() for _row, _kind, detail in single), single
        assert all(not problem_label(kind).isascii() for _row, kind, _detail in single), single


def test_the_command_verifies_with_several_processes_and_names_problems_in_chinese(tworld, children_env):
    from tests.conftest import cli_env

    env = {**cli_env(), "LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}  # an operator in a Chinese locale
    for i in range(12):
        with transaction.atomic():
            audit_record(actor=None, event_code=Event.ADMIN_CHANGE, object_type="test", object_id=i, new={"i": i})
    ok = subprocess.run([sys.executable, "-m", "kehu.cli", "audit", "verify", "--workers", "2"], env=env,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    target = by_seq()[8]
    sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["改过", target])
    bad = subprocess.run([sys.executable, "-m", "kehu.cli", "audit", "verify", "--workers", "2"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert f"第 {target} 行：内容被改：本行内容与其哈希不符。" in bad.stdout, bad.stdout
    refused = subprocess.run([sys.executable, "-m", "kehu.cli", "audit", "verify", "--workers", "0"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "--workers" in refused.stdout + refused.stderr
