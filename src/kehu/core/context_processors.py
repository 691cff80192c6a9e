from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehu.core.nav import nav_for
from kehu.core.selectors import access_for


def kehu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = access_for(user)
    return {"kehu_access": access, "kehu_roles": sorted(access.roles()), "kehu_nav": nav_for(access, request.path)}
