"""Shared checks of the grading services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehu.core.errors import InvalidInput, PermissionDenied
from kehu.core.models import OrgUnit, User
from kehu.core.selectors import access_for


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
