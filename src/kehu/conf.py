"""Typed readers for kehu's environment variables.

Every setting comes from the environment; a bad value fails loudly at start-up with the variable's
name, instead of surfacing later as an odd behaviour (the Healthchecks habit).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {number}")
    return number


def kehu_home() -> Path:
    home = Path(env_str("KEHU_HOME", "./var") or "./var").expanduser().resolve()
    return home


def _read_or_create(path: Path, make: callable, *, create: bool) -> str | None:  # type: ignore[valid-type]
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Written with owner-only permissions: the file holds key material.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def secret_key(home: Path, *, allow_generate: bool) -> str:
    value = env_str("KEHU_SECRET_KEY")
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured("KEHU_SECRET_KEY must be at least 32 characters long")
        return value
    stored = _read_or_create(home / "secret-key", lambda: secrets.token_urlsafe(50), create=allow_generate)
    if stored:
        return stored
    raise ImproperlyConfigured(
        "KEHU_SECRET_KEY is not set. Set it, or run `kehu demo` to generate one under KEHU_HOME."
    )


def parse_data_keys(raw: str) -> list[tuple[str, bytes]]:
    """Parse ``KEHU_DATA_KEYS``: comma-separated ``id:base64key`` items, oldest first, newest last.

    Each key is 32 bytes (AES-256-GCM). The newest encrypts; every key decrypts.
    """
    keys: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for index, item in enumerate(part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or not encoded:
            raise ImproperlyConfigured(
                f"KEHU_DATA_KEYS item {index + 1} must look like 'id:base64key', got {item[:8]!r}..."
            )
        if not key_id.isalnum() or len(key_id) > 16:
            raise ImproperlyConfigured(f"KEHU_DATA_KEYS key id {key_id!r} must be 1-16 letters or digits")
        if key_id in seen:
            raise ImproperlyConfigured(f"KEHU_DATA_KEYS names key id {key_id!r} twice")
        try:
            material = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"KEHU_DATA_KEYS key {key_id!r} is not valid base64") from None
        if len(material) != 32:
            raise ImproperlyConfigured(
                f"KEHU_DATA_KEYS key {key_id!r} must decode to 32 bytes, got {len(material)}"
            )
        seen.add(key_id)
        keys.append((key_id, material))
    if not keys:
        raise ImproperlyConfigured("KEHU_DATA_KEYS is empty")
    return keys


def new_data_key_item(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode('ascii')}"


def _operator_file(name: str, home: Path, *, allow_inside_home: bool) -> str | None:
    """Read the file named by the variable ``name``: key material kept by the operator, outside KEHU_HOME
    (a backup of KEHU_HOME must not carry the keys that open it)."""
    raw = env_str(name)
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if not allow_inside_home and (path == home or home in path.parents):
        raise ImproperlyConfigured(f"{name} names {path}, inside KEHU_HOME; keep key files outside KEHU_HOME")
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name} names {path}, which cannot be read: {exc.strerror}") from None


def data_keys(home: Path, *, allow_generate: bool) -> list[tuple[str, bytes]] | None:
    """The data keys: ``KEHU_DATA_KEYS``, else the file named by ``KEHU_DATA_KEYS_FILE``; only in demo,
    debug and test runs (``allow_generate``) also ``KEHU_HOME/data-keys``, generated if missing."""
    raw = env_str("KEHU_DATA_KEYS")
    if raw:
        return parse_data_keys(raw)
    stored = _operator_file("KEHU_DATA_KEYS_FILE", home, allow_inside_home=allow_generate)
    if stored:
        return parse_data_keys(stored)
    if not allow_generate:
        return None
    stored = _read_or_create(home / "data-keys", lambda: new_data_key_item("k1"), create=True)
    return parse_data_keys(stored) if stored else None


def keys_only_in_home(home: Path) -> list[str]:
    """Key files lying in KEHU_HOME that production ignores (``kehu serve`` names them when it refuses)."""
    return [name for name in ("data-keys", "audit-key") if (home / name).exists()]


def parse_audit_key(raw: str, name: str = "KEHU_AUDIT_KEY") -> bytes:
    try:
        material = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} is not valid base64") from None
    if len(material) < 32:
        raise ImproperlyConfigured(f"{name} must decode to at least 32 bytes, got {len(material)}")
    return material


def new_audit_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def audit_key(home: Path, *, allow_generate: bool) -> bytes | None:
    """The key of the audit chain's HMAC and of its checkpoints: ``KEHU_AUDIT_KEY`` (base64), else the
    file named by ``KEHU_AUDIT_KEY_FILE``; only in demo, debug and test runs ``KEHU_HOME/audit-key``."""
    raw = env_str("KEHU_AUDIT_KEY")
    if raw:
        return parse_audit_key(raw)
    stored = _operator_file("KEHU_AUDIT_KEY_FILE", home, allow_inside_home=allow_generate)
    if stored:
        return parse_audit_key(stored, "KEHU_AUDIT_KEY_FILE")
    if not allow_generate:
        return None
    return parse_audit_key(_read_or_create(home / "audit-key", new_audit_key, create=True) or "")


def audit_checkpoint_dir(home: Path, *, allow_default: bool) -> Path | None:
    """Where signed checkpoints of the audit chain are written: ``KEHU_AUDIT_CHECKPOINT_DIR`` (a place the
    database administrator cannot write); demo, debug and test runs default to ``KEHU_HOME/audit-checkpoints``."""
    raw = env_str("KEHU_AUDIT_CHECKPOINT_DIR")
    if raw:
        return Path(raw).expanduser().resolve()
    return home / "audit-checkpoints" if allow_default else None
