"""Model fields that encrypt personal data at rest."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models

from kehu.core.crypto import keyring

if TYPE_CHECKING:  # django-stubs types a field by what it is set to and what it reads back
    _TextField = models.TextField[Any, Any]
else:
    _TextField = models.TextField


class DecimalDigits(TypedDict):
    """The size of a DecimalField, as ``models.DecimalField(_("amount"), **MONEY)`` takes it."""

    max_digits: int
    decimal_places: int


class EncryptedTextField(_TextField):
    """A text field stored as AES-GCM ciphertext; Python code sees the plaintext.

    Such a field cannot be searched or ordered by the database; pair it with a keyed-hash field for
    exact lookup.
    """

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Any:
        if value is None or value == "":
            return value
        return keyring().decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return keyring().encrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (list or dict) stored as AES-GCM ciphertext of its JSON text; Python code sees the value.

    For data that is personal only sometimes, such as the cells of a rejected import row (issue 11, defect 4)."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Any:
        text = super().from_db_value(value, expression, connection)
        if text is None or text == "":
            return text
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value[:1] in ("[", "{"):
            return json.loads(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return keyring().encrypt(json.dumps(value, ensure_ascii=False))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
