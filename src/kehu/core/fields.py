"""Model fields that encrypt personal data at rest."""

from __future__ import annotations

from django.db import models

from kehu.core.crypto import keyring


class EncryptedTextField(models.TextField):
    """A text field stored as AES-GCM ciphertext; Python code sees the plaintext.

    Such a field cannot be searched or ordered by the database; pair it with a keyed-hash field for
    exact lookup.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return keyring().decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return keyring().encrypt(value)
