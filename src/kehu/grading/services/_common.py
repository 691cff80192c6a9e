"""Shared checks of the grading services."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.errors import InvalidInput, PermissionDenied
from kehu.core.models import OrgUnit, User
from kehu.core.selectors import access_for

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


def root_path() -> str:
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    return root.path if root else "/"


def require_company_wide(actor: User | None, perm: str) -> None:
    """Runs and policies are company-wide: the permission must be held at the root of the org tree."""
    if actor is None:
        return
    access = access_for(actor)
    if not access.has(perm) or not access.reaches(perm, org_path=root_path()):
        raise PermissionDenied()


def require_text(value: Any, field: str, *, max_length: int = 2000, min_length: int = 4) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) < min_length:
        raise InvalidInput(_("Give a reason of at least %(n)d characters.") % {"n": min_length}, field=field)
    if len(text) > max_length:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    return text
