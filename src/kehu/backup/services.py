"""Backup, verify, restore, retention and the restore drill (domain spec 11, D-1..D-9).

A backup set is one file: a consistent snapshot of the database in its native form (SQLite's online
backup API, or ``pg_dump`` in directory format reading an exported snapshot), the encrypted document
files it refers to, and a manifest (kehu version, migration state, per-table row counts and content
hashes, the audit chain head, the data-key ids the set needs). The whole is compressed and sealed with
the backup key (``archive.py``). The table hashes are computed from the same snapshot, in the
database-neutral canonical form of ``tables.py``, so a restore into either engine is checked against them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.backup.hooks import POST_RESTORE
from kehu.core.audit import audit_record, verify_chain
from kehu.core.crypto import DecryptionError, keyring
from kehu.core.keys import file_key_id
from kehu.core.params import get_param

from . import bundle, db, rules, tables
from .archive import SealedReader, SealedWriter, zstd_level
from .errors import BackupError, BackupRefused, KeyBundleRefused, RestoreTargetNotEmpty
from .events import BackupEvent
from .keys import backup_keys
from .models import BackupRun, RestoreDrill

Progress = Callable[[str, int, int], None]
SUFFIX = ".kbk"


def _noop(task: str, done: int, total: int) -> None:
    pass


def backup_dir() -> Path:
    named = os.environ.get("KEHU_BACKUP_DIR", "").strip()
    return Path(named).expanduser().resolve() if named else settings.KEHU_HOME / "backups"


def kehu_version() -> str:
    try:
        return version("kehu")
    except PackageNotFoundError:
        return "unknown"


def _code_migrations() -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.disk_migrations)


def _applied_as_django_counts(applied: list[str]) -> list[str]:
    """The applied migrations with the squashed migrations Django counts as applied: those whose replaced
    migrations all are (docs/migrations.md). A database upgraded from before a squash records the squash itself
    only at its next ``migrate``; its backups are at the same migration state all the same."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    have = set(applied)
    for (app, name), migration in loader.replacements.items():
        if all(f"{a}.{n}" in have for a, n in migration.replaces):
            have.add(f"{app}.{name}")
    return sorted(have)


class _HashingFile:
    """Wraps the output file: counts and hashes every byte written."""

    def __init__(self, handle) -> None:
        self.handle, self.size, self.sha = handle, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.size += len(data)
        self.sha.update(data)
        return len(data)


class _HashingReader:
    def __init__(self, handle) -> None:
        self.handle, self.sha = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha.update(data)
        return data


# ----------------------------------------------------------------------------------------- snapshot

@dataclass
class Snapshot:
    engine: str
    db_members: list[Path]  # files under ``root`` to archive
    root: Path
    digest: tables.DigestResult | None
    migrations: list[str]
    # SQLite: the table hashes are computed from the snapshot file while it is being compressed and sealed
    # (two cores at work instead of one); this computes them and fills ``digest`` and ``migrations``.
    later: Callable[[], None] | None = None
    hash_form: str = tables.CANONICAL_FORM  # what the manifest's table hashes are over (tables.py)


WATCH = {"customers_document": ("storage_name",), "core_auditchainhead": ("last_id", "last_hash", "count")}


def _snapshot_sqlite(settings_dict: dict, work: Path, progress: Progress) -> Snapshot:
    target = work / "db" / "kehu.sqlite3"
    target.parent.mkdir(parents=True)
    source = sqlite3.connect(settings_dict["NAME"], timeout=30)
    copy = sqlite3.connect(target)
    # The snapshot is scratch: the durable thing is the sealed archive, which is fsynced when it is complete.
    # Without this the copy's commit forces the whole file to disk first (0.66 s against 0.25 s for a 106 MB
    # database on the benchmark machine).
    copy.execute("PRAGMA synchronous=OFF")
    try:
        progress(_("Database snapshot"), 0, 1)
        # One step: the whole copy reads one consistent state while writers go on (WAL).
        source.backup(copy)
        progress(_("Database snapshot"), 1, 1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        source.close()
        copy.close()
    snap = Snapshot("sqlite", [target], work, None, [])
    probe = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        # Decided before the archive is written: it hashes the file itself only for the canonical form.
        snap.hash_form = tables.PAGE_FORM if tables.sqlite_has_dbstat(probe) else tables.CANONICAL_FORM
    finally:
        probe.close()

    # Nearly every encrypted value carries the keyring's current key: the key-id scan skips those rows cheaply.
    usual_key = keyring().current_id if settings.KEHU_DATA_KEYS else None  # no keys: nothing is encrypted

    def later() -> None:
        reader = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            specs = tables.table_specs()
            progress(_("Table hashes"), 0, 1)
            if snap.hash_form == tables.PAGE_FORM:
                snap.digest = tables.page_digests(reader, target, specs, watch=WATCH, usual_key=usual_key)
            else:  # a Python built against an SQLite without dbstat
                snap.digest = tables.digest_connection(reader, "sqlite", specs, watch=WATCH)
            progress(_("Table hashes"), 1, 1)
            snap.migrations = sorted(f"{a}.{n}" for a, n in reader.execute("SELECT app, name FROM django_migrations"))
        finally:
            reader.close()

    snap.later = later
    return snap


def _snapshot_postgres(settings_dict: dict, work: Path, progress: Progress) -> Snapshot:
    # psycopg is needed only on PostgreSQL: the embedded default never loads it
    import psycopg

    out = work / "db" / "pgdump"
    out.parent.mkdir(parents=True)
    conn = db.pg_connect(settings_dict)
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        # pg_dump reads the very snapshot the table hashes below are computed from.
        dump = subprocess.Popen(
            [db.pg_tool("pg_dump"), "--format=directory", "--compress=0", f"--snapshot={snapshot}",
             "--file", str(out), settings_dict["NAME"]],
            env=db.pg_env(settings_dict), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        specs = tables.table_specs()
        progress(_("Database snapshot"), 0, 1)
        digest = tables.digest_connection(conn, "postgresql", specs, watch=WATCH, cursor_prefix="kehu_backup",
                                          progress=lambda d, t: progress(_("Table hashes"), d, t))
        migrations = sorted(f"{a}.{n}" for a, n in conn.execute("SELECT app, name FROM django_migrations"))
        _stdout, stderr = dump.communicate()
        if dump.returncode != 0:
            raise BackupError(_("pg_dump failed: %(err)s") % {"err": stderr.decode(errors="replace").strip()[:2000]})
        progress(_("Database snapshot"), 1, 1)
        conn.rollback()
    finally:
        conn.close()
    members = sorted(p for p in out.rglob("*") if p.is_file())
    return Snapshot("postgresql", members, work, digest, migrations)


def _snapshot(using: str, work: Path, progress: Progress) -> Snapshot:
    settings_dict = connections[using].settings_dict
    if db.vendor_of(settings_dict) == "sqlite":
        return _snapshot_sqlite(settings_dict, work, progress)
    return _snapshot_postgres(settings_dict, work, progress)


# ------------------------------------------------------------------------------------------- create

def backup_create(*, actor=None, kind: str = BackupRun.Kind.MANUAL, to: str | Path | None = None,
                  using: str = "default", progress: Progress | None = None,
                  key_bundle: str | Path | None = None, passphrase: str | None = None) -> BackupRun:
    """Make one backup set while kehu serves; returns its run-log row (state done or failed).

    ``key_bundle``: also write the keys the set needs to that file, sealed under ``passphrase``
    (``bundle.py``); the set itself never holds a key."""
    progress = progress or _noop
    if key_bundle is not None:
        bundle.check_passphrase(passphrase)
        if Path(key_bundle).expanduser().exists():
            raise KeyBundleRefused(_("%(p)s already exists; a key bundle is never overwritten.")
                                   % {"p": key_bundle})
    keys = backup_keys()  # a missing key fails before anything is written
    level = zstd_level()  # so does a compression level out of range
    key_id, key = keys[-1]
    directory = Path(to).expanduser().resolve() if to else backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    vendor = db.vendor_of(connections[using].settings_dict)
    with transaction.atomic():
        run = BackupRun.objects.create(kind=kind, engine=vendor, started_at=started, backup_key_id=key_id)
    name = f"kehu-{started:%Y%m%dT%H%M%SZ}-{run.pk}-{kind}{SUFFIX}"
    final, partial = directory / name, directory / (name + ".part")
    try:
        with tempfile.TemporaryDirectory(prefix="kehu-backup-", dir=directory) as tmp:
            snap = _snapshot(using, Path(tmp), progress)
            manifest = _write_archive(snap, partial, key_id=key_id, key=key, kind=kind, created=started,
                                      progress=progress, run_id=run.pk, final=final, level=level)
        if key_bundle is not None:
            bundle_path = bundle.write_bundle(key_bundle, passphrase, backup=final.name,
                                              created=started.isoformat(), data_key_ids=manifest["data_key_ids"])
        os.replace(partial, final)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        with transaction.atomic():
            run.state, run.finished_at = BackupRun.State.FAILED, timezone.now()
            run.error = str(exc)[:4000] or exc.__class__.__name__
            run.save(update_fields=["state", "finished_at", "error"])
            audit_record(actor=actor, event_code=BackupEvent.BACKUP_FAILED, object_type="backup_run",
                         object_id=run.pk, new={"kind": kind, "error": run.error[:500]})
        raise
    with transaction.atomic():
        run.state, run.finished_at = BackupRun.State.DONE, timezone.now()
        run.path, run.size, run.sha256 = str(final), manifest["archive"]["size"], manifest["archive"]["sha256"]
        run.tables = len(manifest["tables"])
        run.rows = sum(t["rows"] for t in manifest["tables"].values())
        run.documents = manifest["documents"]["count"]
        head = manifest["audit_head"] or {}
        run.audit_last_id, run.audit_last_hash = head.get("last_id"), head.get("last_hash", "")
        run.data_key_ids = manifest["data_key_ids"]
        run.error = "; ".join(manifest["problems"])[:4000]
        run.save()
        audit_record(actor=actor, event_code=BackupEvent.BACKUP_CREATED, object_type="backup_run", object_id=run.pk,
                     new={"kind": kind, "file": final.name, "size": run.size, "tables": run.tables, "rows": run.rows,
                          "documents": run.documents, "backup_key": key_id, "data_keys": run.data_key_ids,
                          "key_bundle": bundle_path.name if key_bundle is not None else None})
    return run


def _write_archive(snap: Snapshot, path: Path, *, key_id: str, key: bytes, kind: str, created: datetime,
                   progress: Progress, run_id: int | None = None, final: Path | None = None,
                   level: int | None = None) -> dict:

    files_dir = Path(settings.KEHU_FILES_DIR)
    members: dict[str, dict] = {}
    problems: list[str] = []
    total = len(snap.db_members)
    failed: list[BaseException] = []
    worker = None
    if snap.later is not None:
        def run_later() -> None:
            try:
                snap.later()
            except BaseException as exc:  # re-raised in the calling thread below
                failed.append(exc)

        worker = threading.Thread(target=run_later, name="kehu-backup-hashes")
        worker.start()
    with open(path, "wb") as raw:
        out = _HashingFile(raw)
        sealed = SealedWriter(out, key_id=key_id, key=key, created=created.isoformat(), level=level)
        # 1 MB steps instead of tarfile's 10-16 KB: each step is a compressor call, and ten thousand of them
        # cost a quarter of a second per 100 MB.
        with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT, bufsize=1024 * 1024,
                          copybufsize=1024 * 1024) as tar:
            done = 0
            for member in snap.db_members:
                arcname = member.relative_to(snap.root).as_posix()
                info = tar.gettarinfo(str(member), arcname=arcname)
                with open(member, "rb") as handle:
                    if snap.hash_form == tables.PAGE_FORM:
                        # The pages of every b-tree are hashed in the manifest (and the frames authenticated):
                        # a second SHA-256 over the whole file would only repeat them.
                        tar.addfile(info, handle)
                        members[arcname] = {"size": info.size, "sha256": None}
                    else:
                        reader = _HashingReader(handle)
                        tar.addfile(info, reader)
                        members[arcname] = {"size": info.size, "sha256": reader.sha.hexdigest()}
                done += 1
                progress(_("Writing the backup"), done, total)
            if worker is not None:
                worker.join()
                if failed:
                    raise failed[0]
            storage_names = [row[0] for row in snap.digest.watched.get("customers_document", [])]
            head_rows = snap.digest.watched.get("core_auditchainhead", [])
            key_ids = set(snap.digest.key_ids)
            total = len(snap.db_members) + len(storage_names)
            for storage_name in storage_names:
                done += 1
                source = files_dir / storage_name
                try:
                    data = source.read_bytes()  # whole file: a re-encryption renames over it atomically
                except FileNotFoundError:
                    problems.append(f"document file missing: {storage_name}")
                    continue
                kid = file_key_id(data)
                if kid:
                    key_ids.add(kid)
                arcname = f"files/{storage_name}"
                info = tarfile.TarInfo(arcname)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(data))
                members[arcname] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                if done % 200 == 0 or done == total:
                    progress(_("Writing the backup"), done, total)
            manifest = {
                "format": 1,
                "kehu_version": kehu_version(),
                "created_at": created.isoformat(),
                "kind": kind,
                "engine": snap.engine,
                "migrations": snap.migrations,
                "tables": {name: {"rows": d.rows, "sha256": d.sha256} for name, d in snap.digest.tables.items()},
                "table_hash_form": snap.hash_form,
                "sqlite_objects": snap.digest.objects,
                "audit_head": ({"last_id": head_rows[0][0], "last_hash": head_rows[0][1], "count": head_rows[0][2]}
                               if head_rows else None),
                "documents": {"count": len(storage_names)},
                "data_key_ids": sorted(key_ids),
                "backup_key_id": key_id,
                "members": members,
                "problems": problems,
                # The run that made the set: its row is in the snapshot still "running"; a restore completes
                # it from these facts and the file's own size and hash.
                "run": {"id": run_id, "path": str(final or path), "finished_at": timezone.now().isoformat()},
            }
            body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(body))
        sealed.close()
        raw.flush()
        os.fsync(raw.fileno())
    manifest["archive"] = {"size": out.size, "sha256": out.sha.hexdigest()}
    return manifest


# ------------------------------------------------------------------------------------ open / verify

@dataclass
class Report:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    manifest: dict | None = None
    tables: int = 0
    rows: int = 0
    documents: int = 0
    seconds: float = 0.0
    post_restore: dict = field(default_factory=dict)
    completed_run: int | None = None  # the run row of the set, completed in the restored copy
    # What each table was held to (rows, sha256): the manifest's, or for a restore of a SQLite set into
    # PostgreSQL the canonical hashes of the set's own snapshot.
    expected_tables: dict = field(default_factory=dict)

    def fail(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)


def _open(path: Path, extract_to: Path | None, progress: Progress,
          whole: dict | None = None, skip_hash: frozenset[str] = frozenset(),
          place: dict[str, Path] | None = None) -> tuple[dict, dict[str, str | None]]:
    """Read a whole backup: check every frame, hash every member, optionally extract; -> manifest, hashes.
    ``whole`` receives the size and SHA-256 of the file itself (what the run log recorded); ``place`` names
    members extracted somewhere other than under ``extract_to`` (a SQLite snapshot straight into its target)."""
    if not path.exists():
        raise BackupRefused(_("No such backup file: %(p)s") % {"p": path})
    total = path.stat().st_size
    hashes: dict[str, str] = {}
    manifest = None
    with open(path, "rb") as handle:
        counted = _HashingReader(handle)
        reader = SealedReader(counted, backup_keys(generate=False))
        try:
            # Read in 1 MB steps, not tarfile's 10 KB default: ten thousand calls fewer per 100 MB.
            with tarfile.open(fileobj=reader, mode="r|", bufsize=1024 * 1024) as tar:
                for info in tar:
                    if not info.isfile():
                        continue
                    name = info.name
                    if name.startswith("/") or ".." in Path(name).parts:
                        raise BackupRefused(_("The backup holds an unsafe path: %(p)s") % {"p": name})
                    source = tar.extractfile(info)
                    # The database snapshot comes before the manifest: it is hashed as it is read unless the
                    # caller knows the set hashes its pages instead (``skip_hash``).
                    sha = None if name in skip_hash else hashlib.sha256()
                    dest = None
                    if extract_to is not None and name != "manifest.json":
                        target = (place or {}).get(name) or extract_to / name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        # A large member (the database) is written on a thread of its own while the next frames
                        # are decrypted and decompressed here; a document is small enough to write in line.
                        dest = (_BackgroundWriter(target) if info.size > BACKGROUND_WRITE
                                else open(target, "wb"))  # noqa: SIM115 - closed below
                    body = bytearray() if name == "manifest.json" else None
                    try:
                        while chunk := source.read(1024 * 1024):
                            if sha is not None:
                                sha.update(chunk)
                            if dest is not None:
                                dest.write(chunk)
                            if body is not None:
                                body += chunk
                    finally:
                        if dest is not None:
                            dest.close()
                    hashes[name] = sha.hexdigest() if sha is not None else None
                    if body is not None:
                        manifest = json.loads(bytes(body))
                    progress(_("Reading the backup"), min(handle.tell(), total), total)
        except tarfile.TarError as exc:
            raise BackupRefused(_("The backup's content is damaged: %(e)s") % {"e": exc}) from None
        # tarfile stops at the end-of-archive blocks: the frames after them (padding, the last frame) are
        # authenticated too, and SealedReader refuses anything after the last one.
        while reader.read(1024 * 1024):
            pass
        if whole is not None:
            whole.update(size=handle.tell(), sha256=counted.sha.hexdigest())
    if manifest is None:
        raise BackupRefused(_("The backup has no manifest: it is incomplete."))
    return manifest, hashes


BACKGROUND_WRITE = 8 * 1024 * 1024


class _BackgroundWriter:
    """A file written by a thread of its own: writing gives up the GIL, decompressing does not, so the two
    overlap (0.24 s of writing a 106 MB snapshot no longer adds to the 0.28 s of decompressing it)."""

    def __init__(self, path: Path) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=8)
        self.failed: list[BaseException] = []
        self.handle = open(path, "wb")  # noqa: SIM115 - closed by the thread
        self.thread = threading.Thread(target=self._run, name="kehu-restore-writer")
        self.thread.start()

    def _run(self) -> None:
        try:
            while (chunk := self.queue.get()) is not None:
                if not self.failed:
                    self.handle.write(chunk)
        except BaseException as exc:  # re-raised by close() in the reading thread
            self.failed.append(exc)
            while self.queue.get() is not None:  # let the reader finish putting
                pass
        finally:
            self.handle.close()

    def write(self, data: bytes) -> None:
        if self.failed:
            raise self.failed[0]
        self.queue.put(bytes(data))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.failed:
            raise self.failed[0]


class _Sync(threading.Thread):
    def __init__(self, path: Path) -> None:
        super().__init__(name="kehu-restore-fsync")
        self.path = path
        self.start()

    def run(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass  # the target's own first commit syncs it anyway; this only does it sooner


def _check_members(manifest: dict, hashes: dict[str, str | None], report: Report) -> None:
    listed = manifest.get("members", {})
    for name, meta in sorted(listed.items()):
        if name not in hashes:
            report.fail(_("%(m)s is listed in the manifest but missing from the backup.") % {"m": name})
        elif meta.get("sha256") is None:
            continue  # a SQLite snapshot hashed page by page in the manifest (checked after the restore)
        elif hashes[name] is None:
            report.fail(_("%(m)s was not hashed while it was read.") % {"m": name})
        elif hashes[name] != meta["sha256"]:
            report.fail(_("%(m)s does not match its hash in the manifest.") % {"m": name})
    for name in sorted(set(hashes) - set(listed) - {"manifest.json"}):
        report.fail(_("%(m)s is in the backup but not in the manifest.") % {"m": name})
    for problem in manifest.get("problems", []):
        report.fail(_("At backup time: %(p)s") % {"p": problem})


def backup_verify(path: str | Path, *, progress: Progress | None = None) -> Report:
    """Open a backup without restoring it: every frame authenticated, every member against the manifest."""
    started = time.monotonic()
    report = Report()
    manifest, hashes = _open(Path(path), None, progress or _noop)
    report.manifest = manifest
    _check_members(manifest, hashes, report)
    report.tables = len(manifest["tables"])
    report.rows = sum(t["rows"] for t in manifest["tables"].values())
    report.documents = manifest["documents"]["count"]
    report.seconds = time.monotonic() - started
    return report


# ------------------------------------------------------------------------------------------ restore

ALIAS = "kehu_restore_target"


def _target_is_empty(alias: str, settings_dict: dict) -> bool:
    if db.vendor_of(settings_dict) == "sqlite":
        path = Path(settings_dict["NAME"])
        return not path.exists() or path.stat().st_size == 0
    with connections[alias].cursor() as cursor:
        return not connections[alias].introspection.table_names(cursor)


SNAPSHOT_MEMBER = "db/kehu.sqlite3"


def _load_native(manifest: dict, extracted: Path, alias: str, settings_dict: dict) -> None:
    if manifest["engine"] == "sqlite":
        connections[alias].close()  # the snapshot was extracted straight to the target file (_restore)
        return
    connections[alias].close()
    result = subprocess.run(
        [db.pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--jobs=2",
         "--dbname", settings_dict["NAME"], str(extracted / "db" / "pgdump")],
        env=db.pg_env(settings_dict), capture_output=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("pg_restore failed: %(err)s") % {"err": result.stderr.decode(errors="replace")[:2000]})


def _file_sha256(path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            sha.update(chunk)
    return sha.hexdigest()


def _is_the_snapshot(manifest: dict, settings_dict: dict) -> bool:
    """True when the SQLite target is, byte for byte, the snapshot file whose SHA-256 the manifest holds (sets
    whose manifest hashes the whole file; a pages-form set is checked page by page instead)."""
    if manifest["engine"] != "sqlite" or db.vendor_of(settings_dict) != "sqlite":
        return False
    want = manifest["members"].get(SNAPSHOT_MEMBER, {}).get("sha256")
    if not want:
        return False
    try:
        return _file_sha256(settings_dict["NAME"]) == want
    except OSError:
        return False


def _load_logical(manifest: dict, extracted: Path, alias: str, settings_dict: dict, progress: Progress) -> None:
    """Cross-engine restore: migrate the empty target, then copy every table row by row."""

    call_command("migrate", database=alias, interactive=False, verbosity=0)
    specs = tables.table_specs()
    by_table = {s.table: s for s in specs}
    target = db.vendor_of(settings_dict)
    conn = connections[alias]
    with transaction.atomic(using=alias):
        with conn.cursor() as cursor:
            # migrate seeded a few rows (content types, permissions, data migrations): the backup's rows
            # replace them.
            if target == "postgresql":
                cursor.execute("TRUNCATE " + ", ".join(f'"{s.table}"' for s in specs))
            else:
                for spec in specs:
                    cursor.execute(f'DELETE FROM "{spec.table}"')
        done = 0
        for spec, columns, rows in _source_blocks(manifest, extracted, specs, by_table):
            _insert(conn, target, spec, columns, rows)
            done += 1
            progress(_("Restoring tables"), done, len(specs))
        if target == "postgresql":
            with conn.cursor() as cursor:
                for sql in conn.ops.sequence_reset_sql(no_style(), [s.model for s in specs]):
                    cursor.execute(sql)


def _source_blocks(manifest, extracted, specs, by_table):
    if manifest["engine"] == "sqlite":
        source = sqlite3.connect(extracted / "db" / "kehu.sqlite3")
        try:
            for spec in specs:
                names = [c.name for c in spec.columns]
                cursor = source.execute(tables.select_sql(spec, vendor="sqlite"))
                yield spec, names, tables.fetch_batches(cursor)
        finally:
            source.close()
        return
    process = subprocess.Popen(
        [db.pg_tool("pg_restore"), "--data-only", "--file=-", str(extracted / "db" / "pgdump")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="strict")
    try:
        for table, columns, rows in tables.copy_blocks(process.stdout):
            spec = by_table.get(table)
            if spec is not None:
                yield spec, columns, rows
    finally:
        process.stdout.close()
        stderr = process.stderr.read()
        if process.wait() != 0:
            raise BackupError(_("pg_restore could not read the dump: %(err)s") % {"err": stderr[:2000]})


def _insert(conn, target: str, spec, columns: list[str], rows) -> None:
    position = {name: i for i, name in enumerate(columns)}
    wanted = [c for c in spec.columns if c.name in position]
    index = [position[c.name] for c in wanted]
    convert = [(tables.to_postgres if target == "postgresql" else tables.to_sqlite)(c) for c in wanted]
    pairs = list(zip(index, convert, strict=True))
    names = ", ".join(f'"{c.name}"' for c in wanted)

    def converted():
        for row in rows:
            yield tuple(None if row[i] is None else f(row[i]) for i, f in pairs)

    with conn.cursor() as cursor:
        if target == "postgresql":
            with cursor.cursor.copy(f'COPY "{spec.table}" ({names}) FROM STDIN') as copy:
                for row in converted():
                    copy.write_row(row)
            return
        sql = f'INSERT INTO "{spec.table}" ({names}) VALUES ({", ".join("?" * len(wanted))})'
        batch = []
        raw = cursor.cursor
        for row in converted():
            batch.append(row)
            if len(batch) >= tables.BATCH:
                raw.executemany(sql, batch)
                batch.clear()
        if batch:
            raw.executemany(sql, batch)


def _digest_target(alias: str, settings_dict: dict, progress: Progress) -> tables.DigestResult:
    specs = tables.table_specs()
    vendor = db.vendor_of(settings_dict)

    def tick(done: int, total: int) -> None:
        progress(_("Checking tables"), done, total)

    conn = sqlite3.connect(settings_dict["NAME"]) if vendor == "sqlite" else db.pg_connect(settings_dict)
    try:
        return tables.digest_connection(conn, vendor, specs, watch=WATCH, progress=tick, cursor_prefix="kehu_check")
    finally:
        conn.close()


@contextmanager
def _source_rows(manifest: dict, extracted: Path, spec: tables.TableSpec) -> Iterator[Iterable[tuple]]:
    """One table's rows as the backup holds them (spec column order), read from the extracted set."""
    if manifest["engine"] == "sqlite":
        conn = sqlite3.connect(f"file:{extracted / 'db' / 'kehu.sqlite3'}?mode=ro", uri=True)
        try:
            yield tables.fetch_batches(conn.execute(tables.select_sql(spec, vendor="sqlite")))
        finally:
            conn.close()
        return
    process = subprocess.Popen(
        [db.pg_tool("pg_restore"), "--data-only", f"--table={spec.table}", "--file=-",
         str(extracted / "db" / "pgdump")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8", errors="strict")
    try:
        def rows():
            names = [c.name for c in spec.columns]
            for table, columns, block in tables.copy_blocks(process.stdout):
                if table != spec.table:
                    continue
                index = [columns.index(n) for n in names]
                for row in block:
                    yield tuple(row[i] for i in index)

        yield rows()
    finally:
        process.stdout.close()
        process.wait()


@contextmanager
def _target_rows(settings_dict: dict, spec: tables.TableSpec) -> Iterator[Iterable[tuple]]:
    vendor = db.vendor_of(settings_dict)
    if vendor == "sqlite":
        conn = sqlite3.connect(settings_dict["NAME"])
        try:
            yield tables.fetch_batches(conn.execute(tables.select_sql(spec, vendor="sqlite")))
        finally:
            conn.close()
        return
    conn = db.pg_connect(settings_dict)
    try:
        cursor = conn.cursor(name=f"kehu_diff_{spec.table}")
        cursor.itersize = tables.BATCH
        cursor.execute(tables.select_sql(spec, vendor="postgresql"))
        yield tables.fetch_batches(cursor)
    finally:
        conn.close()


def _explain(manifest: dict, extracted: Path, settings_dict: dict, name: str,
             refetch: Callable[[], Path] | None = None) -> str:
    """Where a table that failed its hash differs: the first primary key and its columns (values of
    numbers, dates and flags; text only by length, it may be personal data). ``refetch`` extracts the set
    again when its SQLite snapshot went straight into the target (the target cannot be its own witness)."""
    spec = next((s for s in tables.table_specs() if s.table == name), None)
    if spec is None:
        return ""
    try:
        if manifest["engine"] == "sqlite" and not (extracted / SNAPSHOT_MEMBER).exists() and refetch is not None:
            extracted = refetch()
        with _source_rows(manifest, extracted, spec) as source, _target_rows(settings_dict, spec) as target:
            diff = tables.first_difference(spec, source, target)
    except Exception as exc:  # a diagnosis must never hide the finding itself
        return _("(the rows could not be compared: %(e)s)") % {"e": exc}
    if diff is None:
        return _("(every row compares equal column by column: the difference is in the canonical form)")
    if diff.missing == "target":
        return _("(first difference: the row with primary key %(pk)s is missing)") % {"pk": diff.pk}
    if diff.missing == "source":
        return _("(first difference: the row with primary key %(pk)s is not in the backup)") % {"pk": diff.pk}
    columns = "; ".join(f"{col}: {tables.shown(spec, col, want)} -> {tables.shown(spec, col, got)}"
                        for col, want, got in diff.columns)
    return _("(first difference: primary key %(pk)s, %(cols)s)") % {"pk": diff.pk, "cols": columns}


def _snapshot_digest(manifest: dict, settings_dict: dict) -> tables.DigestResult:
    """The table digests of a restored SQLite file that is byte for byte the snapshot: they are the ones the
    backup computed from that very file, so the manifest's numbers are taken as they are; only the rows a
    caller watches (the audit chain head) are read."""
    digest = tables.DigestResult({name: tables.Digest(t["rows"], t["sha256"]) for name, t in manifest["tables"].items()},
                                 set(manifest["data_key_ids"]), {})
    specs = {s.table: s for s in tables.table_specs()}
    conn = sqlite3.connect(f"file:{settings_dict['NAME']}?mode=ro", uri=True)
    try:
        for table, columns in WATCH.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            digest.watched[table] = conn.execute(f'SELECT {cols} FROM "{table}" ORDER BY "{specs[table].pk}"').fetchall()
    finally:
        conn.close()
    return digest


def _page_digest_target(settings_dict: dict) -> tables.DigestResult:
    """The pages digest of a SQLite target. The pages are read from the file itself, so whatever a connection
    left in a write-ahead log is checkpointed into it first (or the check would read older pages)."""
    conn = sqlite3.connect(settings_dict["NAME"], timeout=30)
    try:
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            busy, frames, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy or frames != done:
                raise BackupError(_("The restored database is in use; its check needs it to itself."))
        return tables.page_digests(conn, settings_dict["NAME"], tables.table_specs(), watch=WATCH, key_ids=False)
    finally:
        conn.close()


def _snapshot_canonical(extracted: Path, progress: Progress) -> dict[str, dict]:
    conn = sqlite3.connect(f"file:{extracted / SNAPSHOT_MEMBER}?mode=ro", uri=True)
    try:
        digest = tables.digest_connection(conn, "sqlite", tables.table_specs(),
                                          progress=lambda d, t: progress(_("Table hashes"), d, t))
    finally:
        conn.close()
    return {name: {"rows": d.rows, "sha256": d.sha256} for name, d in digest.tables.items()}


def check_target(manifest: dict, alias: str, settings_dict: dict, files_dir: Path, report: Report,
                 progress: Progress, extracted: Path | None = None, refetch: Callable[[], Path] | None = None) -> None:
    """Table by table against the manifest, every document decrypted and hashed, the audit chain walked.
    With ``extracted`` (the unpacked set), a table whose content differs is compared row by row with the
    backup's own data, and the problem names the first primary key and the columns that differ.

    A SQLite target that is byte for byte the snapshot file whose SHA-256 is in the manifest (a same-engine
    SQLite restore, hashed here, now) holds exactly the pages the manifest's table hashes were computed from,
    so they are taken from the manifest. A SQLite copy that differs is hashed page by page per table, which
    names the tables it lost. A restore into the other engine is hashed in the canonical form, against the
    manifest (a PostgreSQL set) or against the canonical hashes of the set's own snapshot (a SQLite set).
    The documents and the audit chain are checked in full either way."""
    expected = manifest["tables"]
    form = manifest.get("table_hash_form", tables.CANONICAL_FORM)
    same_engine = db.vendor_of(settings_dict) == manifest["engine"]
    if _is_the_snapshot(manifest, settings_dict):
        progress(_("Checking tables"), 1, 1)
        digest = _snapshot_digest(manifest, settings_dict)
    elif form == tables.PAGE_FORM and same_engine:
        digest = _page_digest_target(settings_dict)
    else:
        if form == tables.PAGE_FORM:
            # Into the other engine: the set's own snapshot (authenticated, member hash checked) gives the
            # canonical hashes the target is held to.
            if extracted is None:
                raise BackupError(_("A restore into another engine is checked against the set's own snapshot."))
            expected = _snapshot_canonical(extracted, progress)
        digest = _digest_target(alias, settings_dict, progress)
    report.expected_tables = expected
    for name in sorted(set(expected) | set(digest.tables)):
        want, got = expected.get(name), digest.tables.get(name)
        if want is None:
            report.fail(_("Table %(t)s is not in the backup.") % {"t": name})
        elif got is None:
            report.fail(_("Table %(t)s is missing after the restore.") % {"t": name})
        elif got.rows != want["rows"]:
            report.fail(_("Table %(t)s: %(got)d rows restored, the backup holds %(want)d.")
                        % {"t": name, "got": got.rows, "want": want["rows"]})
        elif got.sha256 != want["sha256"]:
            problem = _("Table %(t)s: the content differs from the backup.") % {"t": name}
            if extracted is not None:
                problem = f"{problem} {_explain(manifest, extracted, settings_dict, name, refetch)}"
            report.fail(problem)
    if form == tables.PAGE_FORM and same_engine:
        want_objects = manifest.get("sqlite_objects") or {}
        for name in sorted(set(want_objects) | set(digest.objects)):
            if want_objects.get(name) != digest.objects.get(name):
                report.fail(_("The database object %(o)s differs from the backup.") % {"o": name})
    report.tables = len(digest.tables)
    report.rows = sum(d.rows for d in digest.tables.values())

    # Documents: every file opens with a configured data key and matches the hash on its row.
    from kehu.customers.models import Document

    ring = keyring()
    docs = list(Document.objects.using(alias).order_by("pk").values_list("pk", "storage_name", "sha256"))
    for n, (pk, storage_name, sha) in enumerate(docs, start=1):
        path = files_dir / storage_name
        try:
            plain = ring.decrypt_bytes(path.read_bytes())
        except FileNotFoundError:
            report.fail(_("Document %(id)s: its file is missing.") % {"id": pk})
            continue
        except DecryptionError as exc:
            report.fail(_("Document %(id)s cannot be decrypted (%(e)s); the data key it needs must be configured.")
                        % {"id": pk, "e": exc})
            continue
        if hashlib.sha256(plain).hexdigest() != sha:
            report.fail(_("Document %(id)s does not match its hash.") % {"id": pk})
        if n % 100 == 0 or n == len(docs):
            progress(_("Checking documents"), n, len(docs))
    report.documents = len(docs)

    # The audit chain: intact, and ending where the manifest says it ended.
    # The live checkpoints may be newer than the backup: the restored chain is held to the manifest head.
    for problem in verify_chain(using=alias, checkpoint=False):
        report.fail(_("Audit chain, row %(row)s: %(kind)s") % {"row": problem.row_id, "kind": problem.kind})
    head = (digest.watched.get("core_auditchainhead") or [None])[0]
    want_head = manifest.get("audit_head")
    got_head = {"last_id": head[0], "last_hash": head[1], "count": head[2]} if head else None
    if want_head != got_head:
        report.fail(_("The audit chain head differs from the backup's manifest."))


def backup_restore(path: str | Path, *, into: str, files_dir: str | Path, actor=None,
                   progress: Progress | None = None, record: bool = True, post_restore: bool = True,
                   key_bundle: str | Path | None = None, passphrase: str | None = None) -> Report:
    """Restore a backup into an empty target (a SQLite path or a postgresql:// URL) and check it.

    ``key_bundle``: the bundle written with the set; its keys (opened with ``passphrase``) are used for the
    restore and its check besides the configured ones."""
    keys = bundle.read_bundle(key_bundle, passphrase or "") if key_bundle is not None else None
    with bundle.bundle_keys(keys):
        report = _restore(path, into=into, files_dir=files_dir, progress=progress, post_restore=post_restore)
    if record:
        # Outside the bundle's keys: this audit row goes to the running kehu's own chain, under its own key.
        _record_restore(report, path, into, actor)
    return report


def _restore(path, *, into, files_dir, progress, post_restore) -> Report:
    progress = progress or _noop
    started = time.monotonic()
    report = Report()
    files_dir = Path(files_dir).expanduser().resolve()
    if files_dir.exists() and any(files_dir.iterdir()):
        raise RestoreTargetNotEmpty(_("The files directory %(d)s is not empty.") % {"d": files_dir})
    settings_dict = db.target_settings(into)
    alias = db.open_alias(ALIAS, settings_dict)
    try:
        if not _target_is_empty(alias, settings_dict):
            raise RestoreTargetNotEmpty(_("The restore target is not empty; restore into a new SQLite file or an "
                                          "empty PostgreSQL database."))
        scratch_parent = files_dir.parent
        scratch_parent.mkdir(parents=True, exist_ok=True)
        place: dict[str, Path] = {}
        created = None
        if db.vendor_of(settings_dict) == "sqlite":
            # A SQLite set's snapshot is written straight to the target file (only SQLite sets hold that member),
            # not to a scratch copy and then copied: a database's worth of writing less. Anything that refuses
            # the set below removes it again.
            connections[alias].close()
            place[SNAPSHOT_MEMBER] = Path(settings_dict["NAME"])
            created = not place[SNAPSHOT_MEMBER].exists()  # else an empty file (_target_is_empty)
        with tempfile.TemporaryDirectory(prefix="kehu-restore-", dir=scratch_parent) as tmp:
            extracted = Path(tmp)
            whole: dict = {}
            try:
                manifest, hashes = _open(Path(path), extracted, progress, whole,
                                         skip_hash=frozenset({SNAPSHOT_MEMBER}), place=place)
                _accept(manifest, hashes, report, place.get(SNAPSHOT_MEMBER) or extracted / SNAPSHOT_MEMBER)
            except BaseException:
                if place:
                    _empty_sqlite(place[SNAPSHOT_MEMBER], remove=bool(created))
                raise
            # The restored file goes to disk while its pages are checked (its first commit would otherwise wait
            # for the whole file there, after the check).
            syncing = _Sync(place[SNAPSHOT_MEMBER]) if SNAPSHOT_MEMBER in place and SNAPSHOT_MEMBER in hashes else None
            target_vendor = db.vendor_of(settings_dict)
            if manifest["engine"] == target_vendor:
                _load_native(manifest, extracted, alias, settings_dict)
            else:
                _load_logical(manifest, extracted, alias, settings_dict, progress)
            files_dir.mkdir(parents=True, exist_ok=True)
            source_files = extracted / "files"
            if source_files.exists():
                for item in source_files.iterdir():
                    shutil.move(str(item), files_dir / item.name)

            def refetch() -> Path:
                again = Path(tempfile.mkdtemp(prefix="again-", dir=extracted))
                _open(Path(path), again, _noop, skip_hash=frozenset({SNAPSHOT_MEMBER}))
                return again

            check_target(manifest, alias, settings_dict, files_dir, report, progress, extracted=extracted,
                         refetch=refetch)
            if syncing is not None:
                syncing.join()
        if report.ok:
            report.completed_run = _complete_run_row(alias, manifest, whole)
        if report.ok and post_restore:

            since = datetime.fromisoformat(manifest["created_at"])
            for hook in POST_RESTORE:
                report.post_restore[hook.__module__] = hook(using=alias, files_dir=files_dir, since=since)
    finally:
        db.close_alias(ALIAS)
    report.seconds = time.monotonic() - started
    return report


def _accept(manifest: dict, hashes: dict[str, str | None], report: Report, snapshot: Path) -> None:
    """Refuse a set whose members do not match its manifest or that was made at another migration state."""
    report.manifest = manifest
    want = manifest.get("members", {}).get(SNAPSHOT_MEMBER, {}).get("sha256")
    if want is not None and SNAPSHOT_MEMBER in hashes:
        # A set whose manifest hashes the whole snapshot file (made before the pages form, or on a SQLite
        # without dbstat): hashed now, as it was written.
        hashes[SNAPSHOT_MEMBER] = _file_sha256(snapshot)
    _check_members(manifest, hashes, report)
    if not report.ok:
        raise BackupRefused(_("The backup does not match its manifest: %(p)s") % {"p": report.problems[0]})
    code = _code_migrations()
    held = _applied_as_django_counts(manifest["migrations"])
    if held != code:
        missing = sorted(set(held) - set(code))
        extra = sorted(set(code) - set(held))
        raise BackupRefused(
            _("The backup was made by kehu %(v)s at another migration state (unknown here: %(m)s; not yet "
              "applied there: %(e)s). Restore it with the kehu version that made it, then upgrade.")
            % {"v": manifest["kehu_version"], "m": ", ".join(missing[:5]) or "-", "e": ", ".join(extra[:5]) or "-"})


def _empty_sqlite(path: Path, *, remove: bool) -> None:
    """A SQLite target this restore wrote and then refused: back to the empty target it was (no file, or an
    empty one)."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if remove:
        path.unlink(missing_ok=True)
    elif path.exists():
        os.truncate(path, 0)


def _complete_run_row(alias: str, manifest: dict, whole: dict) -> int | None:
    """The snapshot holds the row of the run that made it, still "running" (it was taken mid-run). In the
    restored copy that run did finish: its row gets what the live row got (file, size, hash, counts).

    Not a new fact but the end of one already audited (event 9001 in the live chain, after the snapshot);
    the restore's own audit event (9003) names the completed run. The restored chain is left as the
    manifest describes it."""
    run = manifest.get("run") or {}
    if not run.get("id"):
        return None  # a set made before the manifest named its run
    head = manifest["audit_head"] or {}
    with transaction.atomic(using=alias):
        done = BackupRun.objects.using(alias).filter(pk=run["id"], state=BackupRun.State.RUNNING).update(
            state=BackupRun.State.DONE, finished_at=datetime.fromisoformat(run["finished_at"]), path=run["path"],
            size=whole["size"], sha256=whole["sha256"], tables=len(manifest["tables"]),
            rows=sum(t["rows"] for t in manifest["tables"].values()), documents=manifest["documents"]["count"],
            audit_last_id=head.get("last_id"), audit_last_hash=head.get("last_hash", ""),
            data_key_ids=manifest["data_key_ids"], error="; ".join(manifest["problems"])[:4000])
    return run["id"] if done else None


def _record_restore(report: Report, path, into: str, actor) -> None:
    target = into.split("@")[-1] if "://" in into else Path(into).name
    with transaction.atomic():
        audit_record(actor=actor, event_code=BackupEvent.BACKUP_RESTORED, object_type="backup",
                     object_id=Path(path).name,
                     new={"target": target, "ok": report.ok, "tables": report.tables, "rows": report.rows,
                          "post_restore": report.post_restore, "completed_run": report.completed_run,
                          "documents": report.documents, "problems": report.problems[:20],
                          "seconds": round(report.seconds, 1)})


# ------------------------------------------------------------------------------- retention and drill

def backup_prune(*, actor=None, today=None) -> dict:
    """Destroy the sets retention no longer keeps (35 daily, 12 monthly, 7 yearly by default)."""
    today = today or timezone.localdate()
    done = list(BackupRun.objects.filter(state=BackupRun.State.DONE).values_list("pk", "finished_at"))
    keep = rules.sets_to_keep([(pk, timezone.localtime(at).date()) for pk, at in done],
                              daily=int(get_param("backup.keep_daily", on=today)),
                              monthly=int(get_param("backup.keep_monthly", on=today)),
                              yearly=int(get_param("backup.keep_yearly", on=today)))
    destroyed = []
    for run in BackupRun.objects.filter(pk__in=[pk for pk, _at in done if pk not in keep]).order_by("pk"):
        with transaction.atomic():
            Path(run.path).unlink(missing_ok=True)
            run.state, run.destroyed_at = BackupRun.State.DESTROYED, timezone.now()
            run.save(update_fields=["state", "destroyed_at"])
            audit_record(actor=actor, event_code=BackupEvent.BACKUP_DESTROYED, object_type="backup_run",
                         object_id=run.pk, new={"file": Path(run.path).name, "method": "unlink",
                                                "made": run.finished_at.isoformat()})
        destroyed.append(run.pk)
    return {"kept": len(keep), "destroyed": destroyed}


def restore_drill(*, actor=None, now: datetime | None = None) -> RestoreDrill:
    """D-2: restore the newest good set into a scratch SQLite file, check it, time it against the RTO."""
    now = now or timezone.now()
    run = BackupRun.objects.filter(state=BackupRun.State.DONE).order_by("-finished_at").first()
    rto = float(get_param("backup.rto_hours", on=timezone.localdate(now)))
    drill = RestoreDrill(backup=run, started_at=now, rto_hours=rto)
    started = time.monotonic()
    if run is None:
        drill.problems = [str(_("There is no backup to rehearse with."))]
    else:
        scratch = Path(tempfile.mkdtemp(prefix="drill-", dir=settings.KEHU_HOME))
        try:
            report = backup_restore(run.path, into=str(scratch / "drill.sqlite3"), files_dir=scratch / "files",
                                    record=False, post_restore=False)
            drill.problems = report.problems
            drill.ok = report.ok
        except Exception as exc:  # the drill records any failure; that is its purpose
            drill.problems = [str(exc)]
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    drill.seconds = time.monotonic() - started
    if drill.ok and drill.seconds > rto * 3600:
        drill.ok = False
        drill.problems.append(str(_("The restore took longer than the recovery time objective.")))
    drill.finished_at = timezone.now()
    with transaction.atomic():
        drill.save()
        audit_record(actor=actor, event_code=BackupEvent.RESTORE_DRILL, object_type="restore_drill",
                     object_id=drill.pk, new={"backup": run.pk if run else None, "ok": drill.ok,
                                              "seconds": round(drill.seconds, 1), "problems": drill.problems[:20]})
    return drill
