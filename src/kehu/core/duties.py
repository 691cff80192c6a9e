"""Separation of duties: the one table of roles one person may not hold together.

Source: 银发[2005]211号 (S4) — the system administrator may not also operate the business, and the
auditor checks everyone else, so neither holds a business role, and not each other's (domain spec
I-5, I-11). Every grant goes through :func:`check_roles` — ``user_create``, ``role_grant``, the Django
admin (its forms call it) and the API — so the table below is the only place the rule lives.
``docs/security.md`` lists it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.errors import InvalidInput
from kehu.core.models import Role

_SYSADMIN_REASON = gettext_lazy("the system administrator takes no business decision (211号, domain spec I-11)")
_AUDITOR_REASON = gettext_lazy("the auditor checks the business and may not take part in it (domain spec I-11)")

# (role, role) → why they conflict. Order inside a pair does not matter.
ROLE_CONFLICTS: dict[frozenset[str], object] = {
    frozenset({Role.SYSADMIN.value, Role.AUDITOR.value}): gettext_lazy(
        "the auditor checks what the system administrator does (211号, domain spec I-5)"),
    **{frozenset({Role.SYSADMIN.value, role}): _SYSADMIN_REASON
       for role in Role.values if role not in (Role.SYSADMIN, Role.AUDITOR)},
    **{frozenset({Role.AUDITOR.value, role}): _AUDITOR_REASON
       for role in Role.values if role not in (Role.SYSADMIN, Role.AUDITOR)},
}


def conflicts(roles: set[str] | list[str]) -> list[tuple[str, str, str]]:
    """Every conflicting pair among ``roles`` as (role, role, reason), sorted."""
    found = []
    unique = sorted(set(roles))
    for i, first in enumerate(unique):
        for second in unique[i + 1:]:
            reason = ROLE_CONFLICTS.get(frozenset({first, second}))
            if reason is not None:
                found.append((first, second, str(reason)))
    return found


def check_roles(roles: set[str] | list[str]) -> None:
    """Refuse a set of roles of one user that contains a conflicting pair (InvalidInput, code sod_conflict)."""
    found = conflicts(roles)
    if found:
        first, second, reason = found[0]
        raise InvalidInput(
            _("Roles %(a)s and %(b)s cannot be held by one person: %(reason)s.")
            % {"a": Role(first).label, "b": Role(second).label, "reason": reason},
            field="role", code="sod_conflict",
        )
