"""The separately encrypted key bundle (issue 16, D-4): the keys a backup set needs, sealed under a passphrase
the operator chooses, in a file of its own.

A backup set never holds a key: its manifest names the data-key ids it needs. Only when the operator asks
(``kehu backup create --key-bundle FILE``) are the data keys the set needs and the audit-chain key written,
to FILE, encrypted with AES-256-GCM under a key derived from the passphrase with scrypt. The bundle is
carried by its own route (sealed envelope, escrow) and given back to ``kehu backup restore --key-bundle``.

File layout (JSON, UTF-8)::

    {"format": "kehu-key-bundle-1", "backup": <set file name>, "created": <ISO time>, "data_key_ids": [...],
     "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": <b64>}, "nonce": <b64>, "sealed": <b64>}

Everything but ``sealed`` and ``nonce`` is the associated data of the seal, so a bundle whose header was
edited (another set's name, weaker KDF parameters) fails to open, like a wrong passphrase.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.utils.translation import gettext as _

from kehu.core.crypto import reset_keyring

from .errors import KeyBundleRefused

FORMAT = "kehu-key-bundle-1"
PASSPHRASE_ENV = "KEHU_KEY_BUNDLE_PASSPHRASE"
MIN_PASSPHRASE = 12  # characters; the bundle is only as strong as its passphrase
_SCRYPT = {"n": 2**17, "r": 8, "p": 1}  # 128 MiB, about half a second: the cost per passphrase guess


@dataclass
class KeyBundle:
    data_keys: list[tuple[str, bytes]]
    audit_key: bytes | None
    backup: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(passphrase: str, kdf: dict) -> bytes:
    salt = base64.b64decode(kdf["salt"])
    return Scrypt(salt=salt, length=32, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])).derive(
        passphrase.encode("utf-8"))


def _aad(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8")


def check_passphrase(passphrase: str | None) -> str:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE:
        raise KeyBundleRefused(_("A key bundle needs a passphrase of at least %(n)d characters (%(env)s or the "
                                 "prompt).") % {"n": MIN_PASSPHRASE, "env": PASSPHRASE_ENV})
    return passphrase


def write_bundle(path: str | Path, passphrase: str, *, backup: str, created: str, data_key_ids: list[str]) -> Path:
    """Seal the configured data keys the set needs (and the newest, which the restored kehu writes with) and
    the audit key into ``path``; refuses to overwrite a file."""
    check_passphrase(passphrase)
    configured = list(settings.KEHU_DATA_KEYS or [])
    wanted = set(data_key_ids) | ({configured[-1][0]} if configured else set())
    have = {key_id for key_id, _m in configured}
    missing = sorted(wanted - have)
    if missing:
        raise KeyBundleRefused(_("The set needs data keys that are not configured here: %(ids)s.")
                               % {"ids": ", ".join(missing)})
    keys = [(key_id, material) for key_id, material in configured if key_id in wanted]
    audit = getattr(settings, "KEHU_AUDIT_KEY", None)
    kdf = {"name": "scrypt", **_SCRYPT, "salt": _b64(os.urandom(16))}
    header = {"format": FORMAT, "backup": backup, "created": created, "data_key_ids": [k for k, _m in keys],
              "kdf": kdf}
    body = json.dumps({"data_keys": [[k, _b64(m)] for k, m in keys],
                       "audit_key": _b64(audit) if audit else None}).encode("utf-8")
    nonce = os.urandom(12)
    sealed = AESGCM(_derive(passphrase, kdf)).encrypt(nonce, body, _aad(header))
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never over another bundle
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({**header, "nonce": _b64(nonce), "sealed": _b64(sealed)}, handle, sort_keys=True, indent=1)
        handle.write("\n")
    return path


def read_bundle(path: str | Path, passphrase: str) -> KeyBundle:
    path = Path(path).expanduser()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyBundleRefused(_("No such key bundle: %(p)s") % {"p": path}) from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise KeyBundleRefused(_("%(p)s is not a kehu key bundle.") % {"p": path}) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise KeyBundleRefused(_("%(p)s is not a kehu key bundle.") % {"p": path})
    header = {k: v for k, v in raw.items() if k not in ("nonce", "sealed")}
    try:
        kdf = header["kdf"]
        if kdf.get("name") != "scrypt":
            raise ValueError
        key = _derive(passphrase or "", kdf)
        body = AESGCM(key).decrypt(base64.b64decode(raw["nonce"]), base64.b64decode(raw["sealed"]), _aad(header))
    except InvalidTag:
        raise KeyBundleRefused(_("The key bundle could not be opened: the passphrase is wrong, or the bundle was "
                                 "altered.")) from None
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise KeyBundleRefused(_("The key bundle %(p)s is damaged.") % {"p": path}) from None
    data = json.loads(body)
    audit = data.get("audit_key")
    return KeyBundle([(k, base64.b64decode(m)) for k, m in data["data_keys"]],
                     base64.b64decode(audit) if audit else None, header.get("backup", ""))


def ask_passphrase(*, twice: bool) -> str:
    """The passphrase for the command line: ``KEHU_KEY_BUNDLE_PASSPHRASE``, else asked on the terminal (twice
    when a bundle is written); with neither, a clear error."""
    named = os.environ.get(PASSPHRASE_ENV, "")
    if named:
        return named

    if not sys.stdin.isatty():
        raise KeyBundleRefused(_("A key bundle needs a passphrase: set %(env)s or run the command on a terminal.")
                               % {"env": PASSPHRASE_ENV})
    first = getpass.getpass(_("Key bundle passphrase: "))
    if twice and getpass.getpass(_("The same passphrase again: ")) != first:
        raise KeyBundleRefused(_("The two passphrases differ."))
    return first


@contextmanager
def bundle_keys(bundle: KeyBundle | None):
    """For the length of a restore: the bundle's data keys added to the configured ones (the configured
    newest stays the one that encrypts), and the bundle's audit key, which the restored chain was made with."""
    if bundle is None:
        yield
        return

    saved = (settings.KEHU_DATA_KEYS, getattr(settings, "KEHU_AUDIT_KEY", None))
    configured = list(saved[0] or [])
    have = {key_id for key_id, _m in configured}
    settings.KEHU_DATA_KEYS = [k for k in bundle.data_keys if k[0] not in have] + configured
    if bundle.audit_key:
        settings.KEHU_AUDIT_KEY = bundle.audit_key
    reset_keyring()
    try:
        yield
    finally:
        settings.KEHU_DATA_KEYS, settings.KEHU_AUDIT_KEY = saved
        reset_keyring()
