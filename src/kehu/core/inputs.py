"""Parsers for what people and files send: text, amounts, days, choices (one module for every app)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.errors import InvalidInput

# SQLite keeps a DecimalField as a double and Django reads it back with 15 significant digits, so with
# 2 decimal places only amounts below 10^13 (ten trillion yuan) survive the round trip exactly.
MAX_AMOUNT = Decimal("1e13")


def text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text.") % {"field": field}, field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field, code="required")
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s is longer than %(n)d characters.") % {"field": field, "n": max_length}, field=field,
            code="too_long",
        )
    if "\x00" in value:
        raise InvalidInput(_("%(field)s contains a NUL character.") % {"field": field}, field=field)
    return value


def amount(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """Parse money: a Decimal or string with at most 2 decimal places, 0 <= value < 10^13. Never a float."""
    if value is None or value == "":
        if required:
            raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field, code="required")
        return None
    if isinstance(value, float) or isinstance(value, bool):
        raise InvalidInput(_("%(field)s must be a decimal amount.") % {"field": field}, field=field)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s must be a decimal amount.") % {"field": field}, field=field) from None
    if not number.is_finite() or number < 0 or number >= MAX_AMOUNT:
        raise InvalidInput(_("%(field)s is out of range.") % {"field": field}, field=field, code="out_of_range")
    if number != number.quantize(Decimal("0.01")):
        raise InvalidInput(_("%(field)s has more than 2 decimal places.") % {"field": field}, field=field)
    return number.quantize(Decimal("0.01"))


def day(value: Any, field: str, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field, code="required")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": field}, field=field) from None


def choice(value: Any, field: str, choices: list[str]) -> str:
    if value not in choices:
        raise InvalidInput(
            _("%(field)s must be one of: %(choices)s.") % {"field": field, "choices": ", ".join(choices)},
            field=field,
        )
    return value
