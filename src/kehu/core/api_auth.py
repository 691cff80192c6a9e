"""How an API call proves who it is: a Bearer token, or the staff web UI's own session.

In core so that an app's router can name its own ``auth=`` without importing ``kehu.api``, the top of the
import order (issue 12, item 4; docs/architecture.md). ``kehu.api`` re-exports both classes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from kehu.core.models import User
from kehu.core.services import token_authenticate


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token, ip=request.META.get("REMOTE_ADDR", ""))
        if user is not None:
            request.user = user
        return user


class SessionAuth:
    """The staff web UI's own session, for the few pages that call the API from JavaScript."""

    openapi_type = "apiKey"

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None
