"""Request and response guards that hold for every page and API call (issue 11, defects 5 and 12).

* ``InputGuardMiddleware``: a NUL character anywhere in the path or the query string is refused with 400
  before any view runs (no database accepts it in text, PostgreSQL raises on it); an integer too large for
  the database (beyond 64 bits) that reaches a query is answered 400 ``out_of_range`` instead of a 500.
  The API maps the same two database errors in ``kehu.api`` (its own exception handlers run first).
* ``SecurityHeadersMiddleware``: the Content-Security-Policy (everything from kehu itself, no inline
  script, no framing) and ``Permissions-Policy`` on every response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # matplotlib's server-rendered SVG charts colour their shapes with style attributes; an attribute
    # cannot run script, and <style> elements and style sheets stay limited to kehu's own files.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return HttpResponse(json.dumps({"code": code, "message": message}, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def out_of_range_error(exc: BaseException) -> bool:
    """True for the errors a too-large integer causes in the database drivers: SQLite's OverflowError
    ("Python int too large to convert to SQLite INTEGER") and PostgreSQL's numeric_value_out_of_range."""
    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DataError):
        cause = exc.__cause__
        return getattr(cause, "sqlstate", None) == "22003" or "out of range" in str(exc)
    return False


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in raw_query or "\x00" in raw_query:
            return _refuse(request, 400, "invalid_input", _("The request contains a NUL character."))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if out_of_range_error(exc):
            return _refuse(request, 400, "out_of_range", _("A number in the request is out of range."))
        return None


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
