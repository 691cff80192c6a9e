from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from kehu.core import services
from kehu.core.models import User


class LockoutBackend(ModelBackend):
    """Password login through ``services.login_attempt``, which counts failures and locks accounts."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        if username is None or password is None:
            return None
        ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
        return services.login_attempt(username=username, password=password, ip=ip)

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).select_related("org_unit").first()
