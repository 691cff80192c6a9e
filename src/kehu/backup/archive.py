"""The backup container: a tar stream, compressed (zstd; sets made before it, zlib), cut into frames each sealed
with AES-256-GCM.

Layout::

    b"KEHUBAK1" | u32 header length | header JSON (format, backup key id, created, compression)
    frames:     u32 sealed length | 12-byte nonce | AES-GCM(compressed bytes)

Each frame's associated data is the header, the frame's index and a "last" flag, so a frame altered,
moved, dropped or a file cut short fails authentication: a tampered backup is refused, never half-read.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from typing import BinaryIO

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils.translation import gettext as _

from .errors import BackupError, BackupKeyMissing, BackupRefused

MAGIC = b"KEHUBAK1"
FRAME = 4 * 1024 * 1024  # compressed bytes per sealed frame, at least (the last one may hold fewer)
# zstd at level 1 compresses a kehu database about 2.3 times as fast as zlib at its fastest level, and smaller
# (measured on a 23 MB SQLite snapshot: 0.16 s against 0.36 s); it decompresses about 4 times as fast. The
# compression is named in the header, so sets made with zlib are still read. The default is zstd's first
# "fast" level: on 400 MB of a 1,000,000-customer snapshot, one thread, 1.52 s of CPU against level 1's 1.83 s,
# for a set 12% larger (45.5% of the snapshot against 40.4%); a backup is bound by CPU on a small server.
ZSTD_LEVEL = -1
LEVEL_ENV = "KEHU_BACKUP_ZSTD_LEVEL"  # -7 (fastest, largest) .. 19 (slowest, smallest); see docs/backup.md


def zstd_level() -> int:
    """The compression level of new sets: ``KEHU_BACKUP_ZSTD_LEVEL`` or ``ZSTD_LEVEL``."""
    text = os.environ.get(LEVEL_ENV, "").strip()
    if not text:
        return ZSTD_LEVEL
    try:
        level = int(text)
    except ValueError:
        level = None
    if level is None or not -7 <= level <= 19:
        raise BackupError(_("%(var)s must be a whole number from -7 to 19, not %(v)s.") % {"var": LEVEL_ENV, "v": text})
    return level
# python-zstandard holds the GIL while it compresses on the calling thread, which would stop the thread hashing
# the snapshot's pages (services.py) for as long. With worker threads of its own, zstd compresses outside the
# GIL: on two cores a 106 MB snapshot took 0.33 s instead of 0.55 s, and a busy Python thread beside it no
# longer doubles the time. The frames are ordinary zstd frames either way.
ZSTD_THREADS = max(1, min(4, os.cpu_count() or 1))


def _decompressor(name: str):
    if name == "zstd":
        return zstandard.ZstdDecompressor().decompressobj()
    if name == "zlib":
        return zlib.decompressobj()
    raise BackupRefused(_("The backup uses a compression this kehu does not know: %(c)s.") % {"c": name})


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return hashlib.sha256(header).digest() + struct.pack(">QB", index, 1 if last else 0)


class SealedWriter:
    """A write-only file object: compresses what is written and seals it frame by frame."""

    def __init__(self, out: BinaryIO, *, key_id: str, key: bytes, created: str, level: int | None = None) -> None:
        self.out = out
        self.aead = AESGCM(key)
        self.header = json.dumps({"format": 1, "key_id": key_id, "created": created, "compression": "zstd"},
                                 sort_keys=True).encode("utf-8")
        out.write(MAGIC + struct.pack(">I", len(self.header)) + self.header)
        self.zip = zstandard.ZstdCompressor(level=zstd_level() if level is None else level,
                                            threads=ZSTD_THREADS).compressobj()
        # Compressed pieces waiting for their frame; a frame takes them all once they reach FRAME bytes (a frame
        # is as long as its length prefix says: they need not be cut to one size, and joining once is one copy).
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.index = 0
        self.written = 0  # plaintext bytes taken in

    def write(self, data: bytes) -> int:
        self.written += len(data)
        piece = self.zip.compress(data)
        if piece:
            self.pending.append(piece)
            self.pending_size += len(piece)
            if self.pending_size >= FRAME:
                self._seal(self._take(), last=False)
        return len(data)

    def _take(self) -> bytes:
        chunk = b"".join(self.pending)
        self.pending.clear()
        self.pending_size = 0
        return chunk

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        nonce = os.urandom(12)
        sealed = self.aead.encrypt(nonce, chunk, _aad(self.header, self.index, last))
        # Two writes rather than one joined frame: no copy of 4 MB per frame (the caller hashes what it is given).
        self.out.write(struct.pack(">I", len(sealed)) + nonce)
        self.out.write(sealed)
        self.index += 1

    def close(self) -> None:
        self.pending.append(self.zip.flush())
        self._seal(self._take(), last=True)

    def flush(self) -> None:  # tarfile calls it; frames are written as they fill
        pass


def read_header(handle: BinaryIO) -> tuple[bytes, dict]:
    magic = handle.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupRefused(_("This is not a kehu backup file."))
    (length,) = struct.unpack(">I", handle.read(4))
    if length > 65536:
        raise BackupRefused(_("This is not a kehu backup file."))
    header = handle.read(length)
    try:
        return header, json.loads(header)
    except ValueError:
        raise BackupRefused(_("The backup's header is damaged.")) from None


class SealedReader:
    """A read-only file object over a sealed backup: checks every frame before handing out a byte."""

    def __init__(self, handle: BinaryIO, keys: list[tuple[str, bytes]]) -> None:
        self.handle = handle
        self.header, meta = read_header(handle)
        self.key_id = meta.get("key_id")
        self.meta = meta
        material = dict(keys).get(self.key_id)
        if material is None:
            raise BackupKeyMissing(
                _("This backup was encrypted under backup key %(id)s, which is not configured "
                  "(KEHU_BACKUP_KEY holds: %(have)s). Restore needs that key.")
                % {"id": self.key_id, "have": ", ".join(k for k, _m in keys) or "-"})
        self.aead = AESGCM(material)
        self.unzip = _decompressor(meta.get("compression", "zlib"))
        self.index = 0
        self.done = False
        self.pending = bytearray()

    def _next_frame(self) -> None:
        raw = self.handle.read(4)
        if len(raw) < 4:
            raise BackupRefused(_("The backup file is cut short (its last part is missing)."))
        (length,) = struct.unpack(">I", raw)
        nonce = self.handle.read(12)
        sealed = self.handle.read(length)
        if len(nonce) < 12 or len(sealed) < length:
            raise BackupRefused(_("The backup file is cut short (its last part is missing)."))
        for last in (False, True):
            try:
                chunk = self.aead.decrypt(nonce, sealed, _aad(self.header, self.index, last))
            except InvalidTag:
                continue
            self.index += 1
            self.pending += self.unzip.decompress(chunk)
            if last:
                self.pending += self.unzip.flush()
                self.done = True
                if self.handle.read(1):
                    raise BackupRefused(_("The backup file has data after its end: it was altered."))
            return
        raise BackupRefused(
            _("The backup failed its integrity check at part %(n)d: it was altered or damaged.") % {"n": self.index + 1})

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.pending) < size):
            self._next_frame()
        if size < 0:
            size = len(self.pending)
        out = bytes(self.pending[:size])
        del self.pending[:size]
        return out
