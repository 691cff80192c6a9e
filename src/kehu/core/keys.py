"""Key rotation: move every encrypted value, blind index and document file to the newest data key.

Rotation is three steps for the operator (docs/architecture.md): append a new key to
``KEHU_DATA_KEYS`` (newest last) and restart, run ``kehu keys reencrypt``, and once it reports no
problem, drop the old key. While old and new keys are both configured everything keeps working: every
key decrypts and lookups try the blind index under every key.

The encrypted fields are found through the app registry, so a field added by a later module is
rotated without touching this file. Work is done in batches, one transaction each; values already
under the newest key are skipped, so a run killed half-way is simply run again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

from kehu.core.audit import Event, audit_record
from kehu.core.crypto import DecryptionError, KeyRing, keyring
from kehu.core.fields import EncryptedTextField

# Blind indexes (keyed hashes for exact lookup) and the encrypted field each one is computed from.
# model label -> {hash field: source field}
BLIND_INDEXES: dict[str, dict[str, str]] = {
    "customers.Customer": {"id_number_hash": "id_number"},
}

# The leading bytes of an encrypted document file (see KeyRing.encrypt_bytes).
FILE_MAGIC = b"KEHU1"
TMP_SUFFIX = ".reencrypt-tmp"

Progress = Callable[[str, int, int], None]
"""``progress(task, done, total)``: called after every batch and every file."""


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    fields: tuple[str, ...]
    hashes: dict[str, str]

    @property
    def label(self) -> str:
        return self.model._meta.label


def encrypted_models() -> list[EncryptedModel]:
    """Return every concrete model with encrypted fields, and its encrypted field names."""
    found: list[EncryptedModel] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = tuple(
            f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        )
        if names:
            found.append(EncryptedModel(model, names, BLIND_INDEXES.get(model._meta.label, {})))
    return sorted(found, key=lambda m: m.label)


def file_key_id(blob: bytes) -> str | None:
    """Return the key id an encrypted file was written under, or None if it is not a kehu file."""
    if not blob.startswith(FILE_MAGIC) or len(blob) < len(FILE_MAGIC) + 1:
        return None
    n = blob[len(FILE_MAGIC)]
    raw = blob[len(FILE_MAGIC) + 1 : len(FILE_MAGIC) + 1 + n]
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return None


def _raw_name(field: str) -> str:
    return f"_raw_{field}"


def _reencrypt_batch(
    spec: EncryptedModel, ring: KeyRing, after_pk: Any, batch_size: int, stats: dict[str, Any]
) -> tuple[Any, int]:
    """Re-encrypt one batch of rows with pk > ``after_pk``; return (last pk, rows read)."""
    model = spec.model
    # Cast to plain text so the database hands back the ciphertext itself: the field's from_db_value
    # would decrypt it, and a value under an unknown key must be reported, not crash the batch.
    raw = {_raw_name(f): Cast(f, output_field=models.TextField()) for f in spec.fields}
    with transaction.atomic():
        # The rows stay locked from the read to the write (SQLite's IMMEDIATE transaction locks the
        # whole database), so an edit made meanwhile is never overwritten with the old plaintext.
        rows = list(
            model._base_manager.select_for_update()
            .filter(pk__gt=after_pk)
            .order_by("pk")
            .annotate(**raw)
            .values_list("pk", *raw.keys(), *spec.hashes.keys())[:batch_size]
        )
        hash_names = list(spec.hashes)
        for row in rows:
            pk = row[0]
            ciphertexts = dict(zip(spec.fields, row[1 : 1 + len(spec.fields)], strict=True))
            stored_hashes = dict(zip(hash_names, row[1 + len(spec.fields) :], strict=True))
            updates: dict[str, Any] = {}
            plaintexts: dict[str, str] = {}
            for field, token in ciphertexts.items():
                if not token:
                    continue
                try:
                    plain = ring.decrypt(token)
                except DecryptionError as exc:
                    stats["problems"].append(
                        {"object": f"{spec.label}#{pk}", "field": field, "problem": str(exc)}
                    )
                    continue
                plaintexts[field] = plain
                if ring.key_id_of(token) != ring.current_id:
                    # update() runs the field's get_prep_value, which encrypts under the newest key.
                    updates[field] = plain
                    stats["values"] += 1
            for hash_field, source in spec.hashes.items():
                if source not in plaintexts:
                    continue  # empty, or undecryptable and already reported
                fresh = ring.blind_index(plaintexts[source])
                if stored_hashes[hash_field] != fresh:
                    updates[hash_field] = fresh
                    stats["hashes"] += 1
            if updates:
                model._base_manager.filter(pk=pk).update(**updates)
                stats["rows"] += 1
    last = rows[-1][0] if rows else after_pk
    return last, len(rows)


def _reencrypt_files(ring: KeyRing, stats: dict[str, Any], progress: Progress | None) -> None:
    directory = Path(settings.KEHU_FILES_DIR)
    if not directory.is_dir():
        return
    paths = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
    # Leftovers of a run that was killed between writing and renaming: the original is intact.
    for stale in directory.glob("." + "*" + TMP_SUFFIX):
        stale.unlink(missing_ok=True)
    for done, path in enumerate(paths, start=1):
        blob = path.read_bytes()
        key_id = file_key_id(blob)
        if key_id is None:
            stats["problems"].append({"object": f"file {path.name}", "field": "", "problem": "not a kehu encrypted file"})
        elif key_id != ring.current_id:
            try:
                data = ring.decrypt_bytes(blob)
            except DecryptionError as exc:
                stats["problems"].append({"object": f"file {path.name}", "field": "", "problem": str(exc)})
            else:
                # Write beside the file and rename over it: a kill leaves the old or the new file,
                # never half of one.
                tmp = path.with_name("." + path.name + TMP_SUFFIX)
                tmp.write_bytes(ring.encrypt_bytes(data))
                os.replace(tmp, path)
                stats["files"] += 1
        if progress:
            progress("files", done, len(paths))


def reencrypt_all(
    progress: Progress | None = None, *, batch_size: int = 500, actor: Any = None
) -> dict[str, Any]:
    """Re-encrypt all personal data, blind indexes and document files under the newest data key.

    Return counts (``rows``, ``values``, ``hashes``, ``files``), the ``key_id`` now in use and a list
    of ``problems`` (values or files that no configured key decrypts; they are left as they are).
    Writes one ``KEYS_REENCRYPTED`` audit event.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    ring = keyring()
    stats: dict[str, Any] = {
        "key_id": ring.current_id, "rows": 0, "values": 0, "hashes": 0, "files": 0, "problems": [],
    }
    for spec in encrypted_models():
        total = spec.model._base_manager.count()
        done = 0
        last: Any = 0
        if progress:
            progress(spec.label, 0, total)
        while True:
            last, read = _reencrypt_batch(spec, ring, last, batch_size, stats)
            if not read:
                break
            done += read
            if progress:
                progress(spec.label, min(done, total), max(total, done))
    _reencrypt_files(ring, stats, progress)
    with transaction.atomic():
        audit_record(
            actor=actor, event_code=Event.KEYS_REENCRYPTED, object_type="keys", object_id=ring.current_id,
            new={k: stats[k] for k in ("key_id", "rows", "values", "hashes", "files")}
            | {"problems": len(stats["problems"])},
        )
    return stats
