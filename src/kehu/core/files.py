"""Files kehu writes under KEHU_HOME: owner-only (issue 11, defect 4).

Every kehu process sets its umask to 077 when the settings load (``private_umask``), so whatever it
creates — uploads kept for an import, error files, export temporaries, document files, keys — is 0600 and
every directory 0700. The helpers below also set the modes explicitly, so a file or directory left by an
older version with wider modes is narrowed when kehu next writes it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from kehu.core.crypto import DecryptionError, keyring

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> None:
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) as 0700 and narrow it if it already exists."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def private_open(path: Path, mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """Open ``path`` for writing, created 0600 (and narrowed to 0600 if it existed)."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, mode, **kwargs)


def private_write(path: Path, data: bytes) -> None:
    with private_open(path, "wb") as fh:
        fh.write(data)


SEALED_MAGIC = b"KEHUS1\n"
SEALED_BLOCK = 4 << 20


def seal_file(src: Path, dst: Path) -> None:
    """Encrypt ``src`` into ``dst`` (0600) block by block under the current data key, like documents, without
    holding the whole file in memory: ``KEHUS1\\n`` then, per block of 4 MiB, its length (4 bytes) and the
    block as ``KeyRing.encrypt_bytes`` writes it."""

    ring = keyring()
    with open(src, "rb") as fin, private_open(dst, "wb") as fout:
        fout.write(SEALED_MAGIC)
        for block in iter(lambda: fin.read(SEALED_BLOCK), b""):
            sealed = ring.encrypt_bytes(block)
            fout.write(len(sealed).to_bytes(4, "big") + sealed)


def unseal_file(src: Path, dst: Path) -> None:
    """Decrypt a file written by ``seal_file`` into ``dst`` (0600); ``DecryptionError`` if it was altered."""

    ring = keyring()
    with open(src, "rb") as fin, private_open(dst, "wb") as fout:
        if fin.read(len(SEALED_MAGIC)) != SEALED_MAGIC:
            raise DecryptionError("not a sealed kehu file")
        while head := fin.read(4):
            size = int.from_bytes(head, "big")
            blob = fin.read(size)
            if len(head) != 4 or len(blob) != size:
                raise DecryptionError("sealed file is truncated")
            fout.write(ring.decrypt_bytes(blob))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RemovedOnClose:
    """A file that is deleted when the response closes it (an export never stays on the server)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("rb")
        self.name = str(path)

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def seek(self, *args: int) -> int:
        return self.handle.seek(*args)

    def tell(self) -> int:
        return self.handle.tell()

    def close(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)
