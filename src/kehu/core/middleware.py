from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.errors import DomainError, NotFound, PermissionDenied
from kehu.core.params import get_param


class PasswordExpiryMiddleware:
    """Send a staff user whose password is older than the limit to the change page (211号 Art.99)."""

    EXEMPT_PREFIXES = ("/static/", "/api/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.EXEMPT_PREFIXES):
            change_url = reverse("password_change")
            logout_url = reverse("logout")
            if request.path not in (change_url, logout_url) and self._expired(user):
                return redirect(change_url)
        return self.get_response(request)

    @staticmethod
    def _expired(user: Any) -> bool:
        if not user.has_usable_password() or user.password_changed_at is None:
            return False
        max_age = int(get_param("sec.password_max_age_days"))
        expired: bool = user.password_changed_at + timedelta(days=max_age) < timezone.now()
        return expired


class MethodNotAllowedPageMiddleware:
    """A page refused for its HTTP method (Django's ``require_POST`` and friends answer 405 with an empty
    body) shows a proper page like 404 and 403 (``405.html``); the API answers JSON ``{"code", "message"}``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        api = request.path.startswith("/api/")
        if not api and isinstance(response, HttpResponse) and response.content:
            return response  # a page that already explains itself

        allowed = response.get("Allow", "")
        out: HttpResponse
        if api:
            out = JsonResponse({"code": "method_not_allowed", "message": _("This address does not accept this method.")},
                               status=405)
        else:
            out = HttpResponse(render_to_string("405.html", {"allowed": allowed}, request=request), status=405)
        if allowed:
            out["Allow"] = allowed
        return out


class DomainErrorPageMiddleware:
    """A domain error (``kehu.core.errors``) that a page view did not catch becomes the page it means, never a
    server error: 404 for ``NotFound`` (as for a missing page: a customer outside the user's scope is not
    found, not forbidden), 403 with the reason for a refusal, and otherwise the error's own status with its
    message. The API answers the same errors as JSON ``{"code", "message"}`` (``kehu.api``); this is the pages'
    counterpart, so a view needs no try/except to turn a selector's ``NotFound`` into a 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404() from exception
        if isinstance(exception, PermissionDenied):
            raise HttpForbidden(str(exception.message)) from exception
        status = exception.http_status if 400 <= exception.http_status < 500 else 400
        return HttpResponse(render_to_string("domain_error.html", {"status": status, "message": exception.message},
                                             request=request), status=status)
