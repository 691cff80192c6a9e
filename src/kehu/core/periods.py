"""Months as periods: parsing '2026-10', the month before, the last day of a month (one module for every app)."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.errors import InvalidInput

_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")


def parse_period(value: Any) -> date:
    """'2026-10' (or a date on the first of a month) → date(2026, 10, 1)."""
    if isinstance(value, date):
        if value.day != 1:
            raise InvalidInput(_("A period is the first day of a month."), field="period")
        return value
    match = _PERIOD.match(str(value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2999:
        raise InvalidInput(_("The period must be a month like 2026-10."), field="period")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_before(period: date) -> date:
    return date(period.year - 1, 12, 1) if period.month == 1 else date(period.year, period.month - 1, 1)


def month_end(first: date) -> date:
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
