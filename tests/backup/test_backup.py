"""Backups (domain spec 11): a consistent set under concurrent writes, restored identical table by table on
either engine, tampering and a missing key refused, retention, the drill and the stale-backup warning."""

from __future__ import annotations

import base64
import itertools
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from tests.concurrency import run_together

from kehu.backup import db as backup_db
from kehu.backup import rules
from kehu.backup.errors import BackupError, BackupKeyMissing, BackupRefused, RestoreTargetNotEmpty
from kehu.backup.models import BackupRun, RestoreDrill
from kehu.backup.services import backup_create, backup_prune, backup_restore, backup_verify, restore_drill
from kehu.cli import main as kehu_main
from kehu.core.audit import verify_chain
from kehu.core.models import AuditEvent
from kehu.customers import services
from kehu.customers.models import Customer, Document

pytestmark = pytest.mark.django_db(transaction=True)


def _documents(world, customer, n=2):
    for i in range(n):
        services.document_upload(actor=world.bj_cm, customer_id=customer.pk, kind="other", title=f"文件{i}",
                                 filename=f"f{i}.pdf", content_type="application/pdf",
                                 data=f"%PDF-1.4 客户资料 {customer.pk}-{i}".encode() * 50)


def _rows(alias, model, pks):
    fields = [f.attname for f in model._meta.concrete_fields]
    return list(model.objects.using(alias).filter(pk__in=pks).order_by("pk").values_list(*fields))


def test_backup_under_concurrent_writes_restores_identical(tworld, tmp_path):
    first = [tworld.individual() for _ in range(3)] + [tworld.enterprise() for _ in range(3)]
    for customer in first[:3]:
        _documents(tworld, customer)
    before = Customer.objects.count()
    counter = itertools.count()

    def writer():
        made = 0
        for _ in range(15):
            tworld.individual(name=f"并发{next(counter)}号")
            made += 1
        return made

    results = run_together([writer, writer, lambda: backup_create(to=tmp_path / "sets")])
    assert [r[0] for r in results] == ["ok", "ok", "ok"], results
    run = results[2][1]
    assert run.state == BackupRun.State.DONE and Path(run.path).exists()
    assert run.data_key_ids == ["k1"]

    report = backup_restore(run.path, into=str(tmp_path / "restored.sqlite3"), files_dir=tmp_path / "files")
    assert report.ok, report.problems
    manifest = report.manifest
    held = manifest["tables"]["customers_customer"]["rows"]
    assert before <= held <= before + 30
    assert report.documents == 6 and manifest["documents"]["count"] == 6

    # Independently of the manifest: every restored row equals the live row, table by table.
    alias = backup_db.open_alias("t_restored", backup_db.target_settings(str(tmp_path / "restored.sqlite3")))
    try:
        pks = list(Customer.objects.using(alias).values_list("pk", flat=True))
        assert len(pks) == held
        assert _rows(alias, Customer, pks) == _rows("default", Customer, pks)
        # The chain head of the copy is its last sealed row; rows still pending when the snapshot was taken
        # (committed, not yet chained: issue 17's sealer) have been sealed on the live side since, so they
        # are compared without the three columns sealing fills in.
        head = manifest["audit_head"]
        assert AuditEvent.objects.using(alias).get(seal_seq=head["count"]).pk == head["last_id"]
        restored = AuditEvent.objects.using(alias)
        sealed_pks = list(restored.filter(seal_seq__isnull=False).values_list("pk", flat=True))
        assert _rows(alias, AuditEvent, sealed_pks) == _rows("default", AuditEvent, sealed_pks)
        pending_pks = list(restored.filter(seal_seq__isnull=True).values_list("pk", flat=True))
        unsealed = [f.attname for f in AuditEvent._meta.concrete_fields
                    if f.attname not in ("seal_seq", "prev_hash", "row_hash")]
        assert (list(restored.filter(pk__in=pending_pks).order_by("pk").values_list(*unsealed))
                == list(AuditEvent.objects.filter(pk__in=pending_pks).order_by("pk").values_list(*unsealed)))
        assert list(verify_chain(using=alias)) == []
        assert _rows(alias, Document, []) == []
        assert Document.objects.using(alias).count() == 6
    finally:
        backup_db.close_alias("t_restored")
    assert len(list((tmp_path / "files").iterdir())) == 6


def test_sqlite_to_postgresql_and_back(tworld, tmp_path, pg_target):
    customer = tworld.individual()
    _documents(tworld, customer, 1)
    tworld.enterprise()
    here = backup_create(to=tmp_path / "a")
    other_engine = str(tmp_path / "b.sqlite3") if connections["default"].vendor == "postgresql" else pg_target()
    report = backup_restore(here.path, into=other_engine, files_dir=tmp_path / "files-b")
    assert report.ok, report.problems

    # Back: a backup of the restored database, restored on the first engine again.
    alias = backup_db.open_alias("t_other", backup_db.target_settings(other_engine))
    try:
        there = backup_create(to=tmp_path / "c", using=alias)
    finally:
        backup_db.close_alias("t_other")
    back = str(tmp_path / "d.sqlite3") if connections["default"].vendor == "sqlite" else pg_target()
    files_b = tmp_path / "files-b"
    report_back = backup_restore(there.path, into=back, files_dir=tmp_path / "files-d")
    assert report_back.ok, report_back.problems
    # Every table the first set held comes back with the same content (the second set also holds the
    # second run's own row in backup_backuprun, and the audit rows written since). Compared in the canonical
    # form: the PostgreSQL set's manifest holds it, and a SQLite set's restore into PostgreSQL computed it.
    first = report.expected_tables if report.manifest["engine"] == "sqlite" else report.manifest["tables"]
    second = (report_back.expected_tables if report_back.manifest["engine"] == "sqlite"
              else report_back.manifest["tables"])
    assert report.manifest["table_hash_form"] != report_back.manifest["table_hash_form"]
    same = [t for t in first if t not in {"backup_backuprun", "core_auditevent", "core_auditchainhead"}]
    assert {t: first[t] for t in same} == {t: second[t] for t in same}
    assert sorted(p.name for p in files_b.iterdir()) == sorted(p.name for p in (tmp_path / "files-d").iterdir())


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_tampered_or_cut_backup_is_refused(tworld, tmp_path, capsys):
    tworld.individual()
    run = backup_create(to=tmp_path)
    path = Path(run.path)
    assert backup_verify(path).ok
    original = path.read_bytes()

    _flip(path, len(original) // 2)
    with pytest.raises(BackupRefused):
        backup_verify(path)
    with pytest.raises(BackupRefused):
        backup_restore(path, into=str(tmp_path / "t.sqlite3"), files_dir=tmp_path / "f")
    assert not (tmp_path / "t.sqlite3").exists() or (tmp_path / "t.sqlite3").stat().st_size == 0

    path.write_bytes(original[: len(original) - 40])
    with pytest.raises(BackupRefused):
        backup_verify(path)

    path.write_bytes(original)
    assert kehu_main(["backup", "verify", str(path)]) == 0
    _flip(path, 60)
    assert kehu_main(["backup", "verify", str(path)]) == 1
    assert "kehu:" in capsys.readouterr().err


def test_missing_or_wrong_backup_key_is_a_clear_error(tworld, tmp_path, monkeypatch, settings):
    tworld.individual()
    run = backup_create(to=tmp_path)
    other = "b9:" + base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("KEHU_BACKUP_KEY", other)
    with pytest.raises(BackupKeyMissing, match="b1.*b9"):
        backup_verify(run.path)
    with pytest.raises(BackupKeyMissing, match="b1"):
        backup_restore(run.path, into=str(tmp_path / "x.sqlite3"), files_dir=tmp_path / "f")

    monkeypatch.delenv("KEHU_BACKUP_KEY")
    settings.KEHU_HOME = tmp_path / "empty-home"
    settings.KEHU_DEMO, settings.DEBUG, settings.TESTING = False, False, False
    with pytest.raises(BackupKeyMissing, match="KEHU_BACKUP_KEY"):
        backup_create(to=tmp_path / "never")
    assert not (tmp_path / "never").exists() or not any((tmp_path / "never").iterdir())


def test_restore_refuses_a_target_that_is_not_empty(tworld, tmp_path):
    tworld.individual()
    run = backup_create(to=tmp_path)
    occupied = tmp_path / "occupied.sqlite3"
    occupied.write_bytes(b"x" * 100)
    with pytest.raises(RestoreTargetNotEmpty):
        backup_restore(run.path, into=str(occupied), files_dir=tmp_path / "f")
    assert occupied.read_bytes() == b"x" * 100


def test_a_document_that_no_longer_matches_fails_the_restore_check(tworld, tmp_path, settings):
    customer = tworld.individual()
    _documents(tworld, customer, 1)
    doc = Document.objects.get()
    stored = Path(settings.KEHU_FILES_DIR) / doc.storage_name
    good = stored.read_bytes()
    stored.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # the live file was damaged before the backup
    try:
        run = backup_create(to=tmp_path)
        with translation.override("en"):  # the problem's words, whatever language an earlier test left active
            report = backup_restore(run.path, into=str(tmp_path / "r.sqlite3"), files_dir=tmp_path / "f")
    finally:
        stored.write_bytes(good)
    assert not report.ok
    assert any("cannot be decrypted" in p for p in report.problems), report.problems


def test_retention_keeps_daily_monthly_yearly():
    day = date(2026, 12, 6)
    sets = [(i, day - timedelta(days=i)) for i in range(0, 3 * 365)]
    keep = rules.sets_to_keep(sets, daily=35, monthly=12, yearly=7)
    assert {i for i in range(35)} <= keep
    kept_days = sorted(d for i, d in sets if i in keep)
    months = {(d.year, d.month) for d in kept_days}
    assert len(months) >= 12
    assert len(keep) <= 35 + 12 + 7
    index = {d: i for i, d in sets}
    assert index[date(2024, 12, 31)] in keep and index[date(2023, 12, 31)] in keep  # newest of each year
    assert index[date(2026, 10, 15)] not in keep  # older than 35 days and not the newest of its month
    assert index[date(2026, 10, 31)] in keep
    assert 3 * 365 - 1 not in keep
    assert rules.sets_to_keep([], daily=1, monthly=1, yearly=1) == set()
    assert rules.sets_to_keep([(7, day)], daily=0, monthly=0, yearly=0) == {7}


def test_prune_destroys_only_what_retention_drops(tworld, tmp_path, settings):
    for n in range(4):
        run = backup_create(to=tmp_path)
        BackupRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(days=40 * n))
    from kehu.core.services import parameter_propose  # noqa: F401 - parameters are approved data; use defaults

    result = backup_prune(today=timezone.localdate())
    assert result["destroyed"] == []  # 4 sets in 4 different months: all kept by the monthly rule
    runs = list(BackupRun.objects.order_by("-finished_at"))
    assert all(Path(r.path).exists() for r in runs)


def _warnings(client) -> list[str]:
    import re

    html = client.get("/").content.decode()
    return re.findall(r'<p class="notice" role="alert">(.*?)</p>', html)


def test_drill_records_its_result_and_sysadmin_sees_a_stale_backup(tworld, tmp_path):
    admin, manager = Client(), Client()
    admin.force_login(tworld.admin)
    manager.force_login(tworld.bj_cm)
    assert len(_warnings(admin)) == 1  # no backup at all yet
    tworld.individual()
    run = backup_create(to=tmp_path)
    assert _warnings(admin) == []
    drill = restore_drill()
    assert drill.ok and drill.backup_id == run.pk and drill.seconds > 0
    assert RestoreDrill.objects.get().ok
    BackupRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(hours=27))
    [warning] = _warnings(admin)
    assert "27" in warning and "26" in warning
    assert _warnings(manager) == []  # the warning is the system administrator's


def test_weekly_and_quarter_slots():
    tz = timezone.get_current_timezone()
    sunday = datetime(2026, 12, 6, 3, 0, tzinfo=tz)
    assert rules.weekly_slot(sunday, weekday=6, hour=2) == "2026-12-06"
    assert rules.weekly_slot(sunday.replace(hour=1), weekday=6, hour=2) == "2026-11-29"
    assert rules.quarter_slot(sunday) == "2026-Q4"


def test_restored_copy_shows_the_run_that_made_it_as_finished(tworld, tmp_path):
    tworld.individual()
    run = backup_create(to=tmp_path / "sets")
    report = backup_restore(run.path, into=str(tmp_path / "r.sqlite3"), files_dir=tmp_path / "files")
    assert report.ok, report.problems
    assert report.completed_run == run.pk
    alias = backup_db.open_alias("t_run", backup_db.target_settings(str(tmp_path / "r.sqlite3")))
    try:
        copy = BackupRun.objects.using(alias).get(pk=run.pk)
        live = BackupRun.objects.get(pk=run.pk)
        assert copy.state == BackupRun.State.DONE
        assert (copy.path, copy.size, copy.sha256, copy.tables, copy.rows, copy.documents, copy.data_key_ids,
                copy.audit_last_id, copy.audit_last_hash) == (
            live.path, live.size, live.sha256, live.tables, live.rows, live.documents, live.data_key_ids,
            live.audit_last_id, live.audit_last_hash)
        assert live.started_at <= copy.finished_at <= live.finished_at
        assert not BackupRun.objects.using(alias).filter(state=BackupRun.State.RUNNING).exists()
        assert list(verify_chain(using=alias, checkpoint=False)) == []
    finally:
        backup_db.close_alias("t_run")
    event = AuditEvent.objects.filter(object_type="backup").latest("pk")
    assert event.new_values["completed_run"] == run.pk


def test_a_table_that_differs_names_its_first_differing_row(tworld, tmp_path, monkeypatch, pg_target):
    """The restore check says which row and column differ, not only which table (values of dates and
    numbers shown, text only by length)."""
    from kehu.backup import services as backup_services
    from kehu.core.models import User

    tworld.individual()
    users = sorted(User.objects.values_list("pk", flat=True))
    victim, other = users[1], users[-1]
    run = backup_create(to=tmp_path / "sets")
    original = backup_services.check_target

    def damaged_check(manifest, alias, settings_dict, *args, **kwargs):
        with connections[alias].cursor() as cursor:
            cursor.execute('UPDATE "core_user" SET "failed_logins" = 7, "display_name" = %s WHERE "id" = %s',
                           ["改过的名字", victim])
            cursor.execute('UPDATE "core_user" SET "failed_logins" = 9 WHERE "id" = %s', [other])
        return original(manifest, alias, settings_dict, *args, **kwargs)

    monkeypatch.setattr(backup_services, "check_target", damaged_check)
    # The native path of the engine under test, and on PostgreSQL also the cross-engine one into SQLite (its
    # source rows come from the dump's COPY text).
    targets = [str(tmp_path / "r.sqlite3")] + ([pg_target()] if connections["default"].vendor == "postgresql" else [])
    for target in targets:
        report = backup_restore(run.path, into=target, files_dir=tmp_path / f"files-{len(target)}")
        assert not report.ok
        [problem] = report.problems
        prefix = gettext("(first difference: primary key %(pk)s, %(cols)s)").split("%")[0]
        assert "core_user" in problem and f"{prefix}{victim}" in problem, problem
        assert "failed_logins: 0 -> 7" in problem and "display_name: <" in problem, problem
        assert "改过的名字" not in problem
        assert report.completed_run is None


def test_a_sqlite_set_is_checked_page_by_page_including_what_no_model_owns(tworld, tmp_path, monkeypatch):
    """A SQLite set's manifest hashes the pages of every b-tree; a restored copy that differs anywhere (here in
    django_migrations, a table of no kehu model) fails its check and names the object."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("the pages form is SQLite's")
    from kehu.backup import services as backup_services

    tworld.individual()
    run = backup_create(to=tmp_path / "sets")
    report = backup_verify(run.path)
    assert report.ok, report.problems
    assert report.manifest["table_hash_form"] == "sqlite-pages"
    assert report.manifest["members"]["db/kehu.sqlite3"]["sha256"] is None
    assert "django_migrations" in report.manifest["sqlite_objects"]
    assert backup_restore(run.path, into=str(tmp_path / "ok.sqlite3"), files_dir=tmp_path / "f1").ok

    original = backup_services.check_target

    def damaged_check(manifest, alias, settings_dict, *args, **kwargs):
        with connections[alias].cursor() as cursor:
            cursor.execute("UPDATE django_migrations SET applied = '2000-01-01 00:00:00' WHERE id = 1")
        return original(manifest, alias, settings_dict, *args, **kwargs)

    monkeypatch.setattr(backup_services, "check_target", damaged_check)
    with translation.override("en"):
        damaged = backup_restore(run.path, into=str(tmp_path / "bad.sqlite3"), files_dir=tmp_path / "f2")
    assert not damaged.ok
    assert damaged.problems == ["The database object django_migrations differs from the backup."], damaged.problems


def test_the_manifest_names_every_data_key_the_rows_use_after_a_rotation(tworld, tmp_path, settings):
    """Rows written before and after a key rotation: the set needs both keys, and says so (the scan reads only
    the head of each ciphertext, ``v1:<key id>:``; a value under no key names none)."""
    from kehu.core.crypto import reset_keyring

    tworld.individual()
    old = list(settings.KEHU_DATA_KEYS)
    settings.KEHU_DATA_KEYS = [*old, ("k2", os.urandom(32))]
    reset_keyring()
    try:
        tworld.individual(name="轮换后客户")
        run = backup_create(to=tmp_path / "sets")
        assert run.data_key_ids == sorted({k for k, _m in old} | {"k2"})
        report = backup_restore(run.path, into=str(tmp_path / "r.sqlite3"), files_dir=tmp_path / "f")
        assert report.ok, report.problems
    finally:
        settings.KEHU_DATA_KEYS = old
        reset_keyring()


def test_the_compression_level_comes_from_the_environment_and_a_bad_one_writes_nothing(tworld, tmp_path,
                                                                                      monkeypatch, capsys):
    """KEHU_BACKUP_ZSTD_LEVEL: a set made at another level is read like any other (zstd frames either way); a
    value out of range is refused before a run row or a file is written, with a message and a non-zero exit."""
    tworld.individual()
    monkeypatch.setenv("KEHU_BACKUP_ZSTD_LEVEL", "-5")
    fast = backup_create(to=tmp_path / "fast")
    monkeypatch.setenv("KEHU_BACKUP_ZSTD_LEVEL", "9")
    small = backup_create(to=tmp_path / "small")
    assert small.size < fast.size
    report = backup_restore(fast.path, into=str(tmp_path / "r.sqlite3"), files_dir=tmp_path / "f")
    assert report.ok, report.problems
    runs = BackupRun.objects.count()
    for bad in ("fast", "20", "-8"):
        monkeypatch.setenv("KEHU_BACKUP_ZSTD_LEVEL", bad)
        with translation.override("en"), pytest.raises(BackupError, match="KEHU_BACKUP_ZSTD_LEVEL"):
            backup_create(to=tmp_path / "bad")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")  # the CLI speaks the operator's locale
    assert kehu_main(["backup", "create", "--to", str(tmp_path / "bad")]) != 0
    err = capsys.readouterr().err
    assert "KEHU_BACKUP_ZSTD_LEVEL" in err and "须为 -7 至 19 之间的整数" in err  # the operator reads Chinese
    assert BackupRun.objects.count() == runs
    assert not (tmp_path / "bad").exists() or not list((tmp_path / "bad").iterdir())


def test_a_current_key_no_row_uses_yet_is_not_named_and_an_old_one_still_is(tworld, tmp_path, settings):
    """The key-id scan skips the rows under the keyring's current key and asks separately whether that key is used:
    just after a rotation nothing is written under the new key, so the set needs only the old ones; once a row
    is, the set needs both."""
    from kehu.core.crypto import reset_keyring

    tworld.individual()
    old = list(settings.KEHU_DATA_KEYS)
    settings.KEHU_DATA_KEYS = [*old, ("k9", os.urandom(32))]
    reset_keyring()
    try:
        run = backup_create(to=tmp_path / "sets")
        assert run.data_key_ids == sorted({k for k, _m in old})
        tworld.individual(name="轮换后客户")  # an individual's name and id number are encrypted
        run = backup_create(to=tmp_path / "sets")
        assert run.data_key_ids == sorted({k for k, _m in old} | {"k9"})
    finally:
        settings.KEHU_DATA_KEYS = old
        reset_keyring()


def test_a_set_refused_after_its_snapshot_was_written_leaves_the_target_as_it_was(tworld, tmp_path, monkeypatch):
    """A SQLite set's snapshot goes straight into the target file; a set refused once it is read (here: made at
    another migration state) takes that file away again: the target is the empty one it was."""
    from kehu.backup import services as backup_services

    tworld.individual()
    run = backup_create(to=tmp_path / "sets")
    monkeypatch.setattr(backup_services, "_code_migrations", lambda: ["customers.9999_from_the_future"])
    absent, empty = tmp_path / "absent.sqlite3", tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    for target in (absent, empty):
        with translation.override("en"), pytest.raises(BackupRefused, match="another migration state"):
            backup_restore(run.path, into=str(target), files_dir=tmp_path / f"files-{target.stem}")
    assert not absent.exists()
    assert empty.exists() and empty.stat().st_size == 0
    assert not list(tmp_path.glob("*.sqlite3-*"))
