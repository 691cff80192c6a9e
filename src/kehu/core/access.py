"""The one scope check for a single object: 404 or 403 (issue 11, defect 13).

A user may learn that an object exists only if one of their grants reaches it. Outside every grant of the
module's view permission and of the permission asked for, the object does not exist for the user (404),
whether it exists or not and whether the user holds the module at all; a user who reaches the object but
not with the permission asked for gets 403. Lists (no id) may still answer 403: they reveal nothing.
"""

from __future__ import annotations

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.models import User
from kehu.core.selectors import access_for


def require(user: User | None, perm: str, *, view: str, org_path: str | None, owner_id: int | None = None) -> None:
    """Check that ``user`` may do ``perm`` on an object at ``org_path`` (its owner ``owner_id``).

    ``org_path`` None means the object does not exist: always 404. ``view`` is the module's read
    permission: reaching the object with it (but not with ``perm``) is 403. ``user`` None is the system."""
    if org_path is None:
        raise NotFound()
    if user is None:
        return
    access = access_for(user)
    if access.reaches(perm, org_path=org_path, owner_id=owner_id):
        return
    if access.reaches(view, org_path=org_path, owner_id=owner_id):
        raise PermissionDenied()
    raise NotFound()
