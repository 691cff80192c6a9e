"""The erasure ledger: every PIPL erasure appended to a file outside the database (domain spec D-9).

A backup restored later still holds the personal data erased since it was made; the ledger is what says
which, so ``reapply_erasures`` can erase it again. It holds no personal data: the customer's id, the time,
the cause. Its place: ``KEHU_ERASURE_LEDGER``, default ``KEHU_HOME/privacy/erasures.jsonl``. Keep it with
(not inside) the backups, on storage that survives the loss of the database.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from django.conf import settings


def ledger_path() -> Path:
    named = os.environ.get("KEHU_ERASURE_LEDGER", "").strip()
    return Path(named) if named else settings.KEHU_HOME / "privacy" / "erasures.jsonl"


def append(entry: dict) -> None:
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def entries_since(since: datetime) -> list[dict]:
    path = ledger_path()
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if datetime.fromisoformat(entry["at"]) > since:
            found.append(entry)
    return found
