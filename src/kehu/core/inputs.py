"""Parsers for what people and files send: text, amounts, days, choices (one module for every app)."""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, WithJsonSchema

from kehu.core.errors import InvalidInput
from kehu.core.params import ParamSpec, get_param

# SQLite keeps a DecimalField as a double and Django reads it back with 15 significant digits, so with
# 2 decimal places only amounts below 10^13 (ten trillion yuan) survive the round trip exactly.
MAX_AMOUNT = Decimal("1e13")

# Plain ASCII decimal notation only (issue 11, defect 16): Python's Decimal() also reads Arabic-Indic and
# full-width digits, "1_000", "1e5", "Infinity" and "NaN"; none of them is an amount a person types. A
# thousands separator is the comma between groups of three digits.
AMOUNT_RE = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?", re.ASCII)
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

PARAMS = [
    ParamSpec("input.date_min_year", 1900, "year", "proposed", "issue 11 defect 16 (sane input range)",
              "Dates before 1 January of this year are refused as input.", int),
    ParamSpec("input.date_max_year", 2200, "year", "proposed", "issue 11 defect 16 (sane input range)",
              "Dates after 31 December of this year are refused as input.", int),
]
_RANGE_CACHE: dict[str, Any] = {"at": 0.0, "range": None}
RANGE_CACHE_SECONDS = 60.0


def date_range() -> tuple[int, int]:
    """The accepted years (``input.date_min_year`` .. ``input.date_max_year``), read at most once a minute:
    an import parses a date on every row."""
    now = time.monotonic()
    if _RANGE_CACHE["range"] is None or now - _RANGE_CACHE["at"] > RANGE_CACHE_SECONDS:

        _RANGE_CACHE["range"] = (int(get_param("input.date_min_year")), int(get_param("input.date_max_year")))
        _RANGE_CACHE["at"] = now
    years: tuple[int, int] = _RANGE_CACHE["range"]
    return years


def date_range_reset() -> None:
    _RANGE_CACHE["range"] = None


def text(raw: Any, field: str, *, max_length: int, required: bool = False) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise InvalidInput(_("%(field)s must be text.") % {"field": field}, field=field)
    value = raw.strip()
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


def plain_decimal(value: Any, field: str, message: str) -> Decimal:
    """A Decimal from an int, a finite Decimal or plain ASCII decimal text (optional sign, digits, comma
    thousands separators, a decimal point); anything else raises ``InvalidInput(message)``. Every parser of
    amounts, quantities and rates goes through here."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidInput(message, field=field)
    if isinstance(value, Decimal):
        raw = format(value, "f") if value.is_finite() else ""
    elif isinstance(value, int | str):
        raw = str(value).strip()
    else:
        raw = ""
    if len(raw) > 64 or not AMOUNT_RE.fullmatch(raw):
        raise InvalidInput(message, field=field)
    try:
        return Decimal(raw.replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput(message, field=field) from None


def amount(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """Parse money: a Decimal or string with at most 2 decimal places, 0 <= value < 10^13. Never a float."""
    if value is None or value == "":
        if required:
            raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field, code="required")
        return None
    if isinstance(value, float) or isinstance(value, bool):
        raise InvalidInput(_("%(field)s must be a decimal amount.") % {"field": field}, field=field)
    number = plain_decimal(value, field, _("%(field)s must be a decimal amount.") % {"field": field})
    if not number.is_finite() or number < 0 or number >= MAX_AMOUNT:
        raise InvalidInput(_("%(field)s is out of range.") % {"field": field}, field=field, code="out_of_range")
    if number != number.quantize(Decimal("0.01")):
        raise InvalidInput(_("%(field)s has more than 2 decimal places.") % {"field": field}, field=field)
    return number.quantize(Decimal("0.01"))


def positive_amount(value: Any, field: str = "amount") -> Decimal:
    """Parse money that must be more than zero (an order, an invoice, a credit use): ``amount`` plus the
    one check, with the code ``not_positive`` every app answers with."""
    number = amount(value, field, required=True)
    if number is None or number <= 0:
        raise InvalidInput(_("%(field)s must be greater than zero.") % {"field": field}, field=field,
                           code="not_positive")
    return number


def day(value: Any, field: str, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field, code="required")
        return None
    if isinstance(value, date):
        parsed = value.date() if hasattr(value, "date") and callable(value.date) else value
    else:
        raw = str(value).strip()
        try:
            if not DATE_RE.fullmatch(raw):
                raise ValueError(raw)
            parsed = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": field},
                               field=field) from None
    low, high = date_range()
    if not low <= parsed.year <= high:
        raise InvalidInput(_("%(field)s must be a date between %(low)d and %(high)d.")
                           % {"field": field, "low": low, "high": high}, field=field, code="out_of_range")
    return parsed


def choice(value: Any, field: str, choices: list[str]) -> str:
    if value not in choices:
        raise InvalidInput(
            _("%(field)s must be one of: %(choices)s.") % {"field": field, "choices": ", ".join(choices)},
            field=field,
        )
    return str(value)


def _plain_decimal_text(value: Any) -> Any:
    """For API schemas: decimal text must be plain ASCII notation (the rule of ``plain_decimal``); JSON
    numbers and Decimals pass on to pydantic's own checks."""
    if isinstance(value, str) and (len(value) > 64 or not AMOUNT_RE.fullmatch(value.strip()) or "," in value):
        raise ValueError("must be a plain decimal number (ASCII digits, an optional point)")
    return value


# The Decimal of every API input schema (amounts, rates, ratios): "١٠٠٠", "1_000", "1e3", "NaN" are 422.
PlainDecimal = Annotated[Decimal, BeforeValidator(_plain_decimal_text), WithJsonSchema(
    {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^[+-]?[0-9]+(\.[0-9]+)?$"}]})]
