"""Backup and verified restore against the plain tools (domain spec 11; issue 16: target <= 2 x).

Ours: ``backup_create`` (online snapshot, table hashes, documents, manifest, compression, AES-GCM) and
``backup_restore`` into a fresh target (native load, then every table re-hashed against the manifest, every
document decrypted and hashed, the audit chain walked). Baseline on the same database in the same run:
SQLite ``sqlite3 DB ".backup FILE"`` and a copy back (``.restore``); PostgreSQL ``pg_dump -Fd`` and
``pg_restore`` into an empty database. The baseline neither encrypts nor checks anything.

    python benchmarks/backup_restore.py --size 100000 --db sqlite
    python benchmarks/backup_restore.py --size 100000 --db postgres --pg-url postgresql://postgres@127.0.0.1:5432/kehu_bench_bk
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import customers_data
from harness import emit, parser, size_of


def _pg_db(base: str, name: str, *, create: bool) -> str:
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def main() -> None:
    p = parser(__doc__, small=20_000, full=1_000_000)
    customers_data.add_reuse(p)
    args = p.parse_args()
    os.environ.setdefault("KEHU_BACKUP_KEY", "bench:" + base64.b64encode(b"kehu-backup-benchmark-key-32byte").decode())
    n = size_of(args)
    db = customers_data.prepare(args, n)
    from django.db import connection

    from kehu.backup.services import backup_create, backup_restore

    work = Path(tempfile.mkdtemp(prefix="kehu-bench-backup-"))
    pg_base = args.pg_url.rpartition("/")[0]
    settings_dict = connection.settings_dict
    ours_backup, ours_restore, base_backup, base_restore = [], [], [], []
    size_ours = size_base = 0
    for attempt in range(max(1, args.repeat)):
        # --- ours
        start = time.perf_counter()
        run = backup_create(to=work / f"ours-{attempt}")
        ours_backup.append(time.perf_counter() - start)
        size_ours = run.size
        if db == "sqlite":
            target = str(work / f"restored-{attempt}.sqlite3")
        else:
            target = _pg_db(pg_base, f"kehu_bench_bk_r{uuid.uuid4().hex[:6]}", create=True)
        start = time.perf_counter()
        report = backup_restore(run.path, into=target, files_dir=work / f"files-{attempt}", record=False)
        ours_restore.append(time.perf_counter() - start)
        assert report.ok, report.problems
        if db == "postgresql":
            _pg_db(pg_base, target.rpartition("/")[2], create=False)
        # --- the plain tools
        if db == "sqlite":
            plain = work / f"plain-{attempt}.sqlite3"
            start = time.perf_counter()
            subprocess.run(["sqlite3", settings_dict["NAME"], f".backup '{plain}'"], check=True)
            base_backup.append(time.perf_counter() - start)
            size_base = plain.stat().st_size
            start = time.perf_counter()
            subprocess.run(["sqlite3", str(work / f"plain-restored-{attempt}.sqlite3"), f".restore '{plain}'"],
                           check=True)
            base_restore.append(time.perf_counter() - start)
        else:
            out = work / f"plain-{attempt}"
            start = time.perf_counter()
            subprocess.run(["pg_dump", "--format=directory", "--file", str(out), args.pg_url], check=True)
            base_backup.append(time.perf_counter() - start)
            size_base = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
            name = f"kehu_bench_bk_p{uuid.uuid4().hex[:6]}"
            url = _pg_db(pg_base, name, create=True)
            start = time.perf_counter()
            subprocess.run(["pg_restore", "--no-owner", "--jobs=2", "--dbname", url, str(out)], check=True)
            base_restore.append(time.perf_counter() - start)
            _pg_db(pg_base, name, create=False)
        for path in work.iterdir():
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()

    def med(xs):
        return sorted(xs)[len(xs) // 2]

    emit("backup_seconds", ours=med(ours_backup), baseline=med(base_backup), n=n, db=db, unit="s", better="lower",
         ours_bytes=size_ours, baseline_bytes=size_base)
    emit("verified_restore_seconds", ours=med(ours_restore), baseline=med(base_restore), n=n, db=db, unit="s",
         better="lower")
    emit("backup_plus_restore_seconds", ours=med([a + b for a, b in zip(ours_backup, ours_restore, strict=True)]),
         baseline=med([a + b for a, b in zip(base_backup, base_restore, strict=True)]), n=n, db=db, unit="s",
         better="lower", repeat=len(ours_backup))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
