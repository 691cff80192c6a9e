"""What each role may do. One table, read by services, API and pages alike.

Separation of duties (211号 and domain spec I-11): the system administrator manages users, org units
and parameters but takes no business decision and sees no customer data; the auditor reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet

from kehu.core.models import Role


class Perm:
    """Core's own permissions; each app keeps its own (``<app>/permissions.py``, customers' in
    ``kehu.customers.permissions.CustomerPerm``) and adds them to the roles from its ``ready()``."""

    AUDIT_VIEW = "audit.view"
    ORG_MANAGE = "org.manage"
    USER_MANAGE = "user.manage"
    PARAM_MANAGE = "param.manage"


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AUDITOR: frozenset({Perm.AUDIT_VIEW}),
    Role.SYSADMIN: frozenset({Perm.ORG_MANAGE, Perm.USER_MANAGE, Perm.PARAM_MANAGE}),
}


def register_permissions(role_permissions: Mapping[Role, AbstractSet[str]] | Mapping[str, AbstractSet[str]]) -> None:
    """Add an app's permissions to roles. Apps call this from AppConfig.ready(), so each module keeps
    its own table (``<app>/permissions.py``) and core does not import the apps above it."""
    for role, perms in role_permissions.items():
        ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS.get(role, frozenset()) | set(perms))

