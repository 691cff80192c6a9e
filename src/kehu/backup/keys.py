"""The backup key: ``KEHU_BACKUP_KEY`` (``id:base64`` items, oldest first; the newest encrypts new backups,
every listed key opens old ones). Generated into ``KEHU_HOME/backup-key`` only for demo, debug and test
runs, like the data keys; production passes it in and keeps a sealed copy away from the backups (D-4)."""

from __future__ import annotations

import base64
import binascii
import os
import secrets

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import BackupKeyMissing

ENV = "KEHU_BACKUP_KEY"


def _parse(raw: str) -> list[tuple[str, bytes]]:
    keys = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        try:
            material = base64.b64decode(encoded, validate=True) if sep else b""
        except (binascii.Error, ValueError):
            material = b""
        if not key_id.isalnum() or len(key_id) > 16 or len(material) != 32:
            raise BackupKeyMissing(_("%(env)s must hold 'id:base64key' items with 32-byte keys.") % {"env": ENV})
        keys.append((key_id, material))
    return keys


def backup_keys(*, generate: bool | None = None) -> list[tuple[str, bytes]]:
    """The configured backup keys, oldest first; raises BackupKeyMissing with a clear message."""
    raw = os.environ.get(ENV, "").strip()
    if raw:
        keys = _parse(raw)
        if keys:
            return keys
    stored = settings.KEHU_HOME / "backup-key"
    if stored.exists():
        return _parse(stored.read_text(encoding="utf-8").strip())
    if generate is None:
        generate = bool(settings.KEHU_DEMO or settings.DEBUG or settings.TESTING)
    if not generate:
        raise BackupKeyMissing(
            _("No backup key: set %(env)s (a new one: `kehu keys generate --id b1`). Keep a sealed copy of it "
              "apart from the backups; a backup cannot be opened without it.") % {"env": ENV})
    item = f"b1:{base64.b64encode(secrets.token_bytes(32)).decode('ascii')}"
    stored.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(item + "\n")
    return _parse(item)
