"""Field encryption (AES-256-GCM) and keyed hashes for exact lookup of encrypted values.

Keys come from ``KEHU_DATA_KEYS`` (oldest first, newest last): the newest key encrypts, every key
decrypts, and ``kehu keys reencrypt`` moves all ciphertext to the newest key. Ciphertext is stored as
``v1:<key id>:<base64(nonce || ciphertext+tag)>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"


class DecryptionError(Exception):
    """Ciphertext could not be decrypted: unknown key id, tampering or a corrupt value."""


class KeyRing:
    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise ImproperlyConfigured("No data keys configured")
        self.keys = dict(keys)
        self.current_id = keys[-1][0]
        self._aead = {key_id: AESGCM(material) for key_id, material in keys}
        # Blind-index keys are derived per data key so that a rotation also rotates the index key.
        self._hash_keys = {
            key_id: hmac.new(material, b"kehu-blind-index-v1", hashlib.sha256).digest() for key_id, material in keys
        }

    def encrypt(self, plaintext: str, *, aad: bytes = b"") -> str:
        nonce = os.urandom(12)
        sealed = self._aead[self.current_id].encrypt(nonce, plaintext.encode("utf-8"), aad or None)
        return f"{PREFIX}:{self.current_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str, *, aad: bytes = b"") -> str:
        try:
            version, key_id, payload = token.split(":", 2)
        except ValueError:
            raise DecryptionError("not a kehu ciphertext") from None
        if version != PREFIX or key_id not in self._aead:
            raise DecryptionError(f"unknown key id {key_id!r}")
        raw = base64.b64decode(payload)
        try:
            return self._aead[key_id].decrypt(raw[:12], raw[12:], aad or None).decode("utf-8")
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None

    def key_id_of(self, token: str) -> str | None:
        parts = token.split(":", 2)
        return parts[1] if len(parts) == 3 else None

    def encrypt_bytes(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        key_id = self.current_id.encode("ascii")
        return b"KEHU1" + bytes([len(key_id)]) + key_id + nonce + self._aead[self.current_id].encrypt(nonce, data, None)

    def decrypt_bytes(self, blob: bytes) -> bytes:
        if not blob.startswith(b"KEHU1"):
            raise DecryptionError("not a kehu encrypted file")
        n = blob[5]
        key_id = blob[6 : 6 + n].decode("ascii")
        rest = blob[6 + n :]
        if key_id not in self._aead:
            raise DecryptionError(f"unknown key id {key_id!r}")
        try:
            return self._aead[key_id].decrypt(rest[:12], rest[12:], None)
        except InvalidTag:
            raise DecryptionError("file failed authentication") from None

    def blind_index(self, value: str) -> str:
        """Return the keyed hash of ``value`` under the newest key."""
        return hmac.new(self._hash_keys[self.current_id], value.encode("utf-8"), hashlib.sha256).hexdigest()

    def blind_indexes(self, value: str) -> list[str]:
        """Return the keyed hash under every key, so lookups still match rows not yet re-keyed."""
        encoded = value.encode("utf-8")
        return [hmac.new(k, encoded, hashlib.sha256).hexdigest() for k in self._hash_keys.values()]


@lru_cache(maxsize=1)
def keyring() -> KeyRing:
    keys = settings.KEHU_DATA_KEYS
    if not keys:
        raise ImproperlyConfigured(
            "KEHU_DATA_KEYS is not set; personal data cannot be encrypted. Run `kehu keys generate`."
        )
    return KeyRing(list(keys))


def reset_keyring() -> None:
    keyring.cache_clear()
