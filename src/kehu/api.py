"""The REST API: assembles the apps' routers and maps every error to JSON ``{"code", "message"}``.

Errors are mapped here and nowhere else: domain errors keep their status (400/403/404/409), schema
errors are 422, authentication 401, bodies over the limit 413. No input may produce a 500.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kehu.core.api_auth import BearerAuth, SessionAuth  # noqa: F401 (SessionAuth: re-exported)
from kehu.core.errors import DomainError
from kehu.core.http_security import out_of_range_error
from kehu.core.services import token_authenticate

logger = logging.getLogger(__name__)


def docs_access(view):
    """The API docs page and schema (issue 11, defect 7): open in debug; otherwise only for a signed-in staff
    session or a valid API token. The page is django-ninja's Swagger UI from kehu's own static files
    ("ninja" is an installed app, so nothing is loaded from a CDN)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.DEBUG or getattr(request, "user", None) is not None and request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and token_authenticate(header[7:].strip()) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"code": "unauthenticated", "message": _("Sign in or send an API token.")},
                                status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped


ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"},
                   "problems": {"type": "array", "items": {}}, "errors": {"type": "array", "items": {}}},
}
ERROR_STATUSES = {
    400: "Invalid input or a business rule refused it", 401: "No valid API token", 403: "Not allowed",
    404: "Not found, or outside your data scope", 409: "Conflict with the current state",
    413: "Request body too large", 422: "The request does not match the schema",
}


class KehuAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI declares every error status an operation can answer (issue 11, defect 6).

    Errors are mapped in one place (the handlers below), so every operation can answer each of them with
    the one ``Error`` body; declaring them on every operation is what the API really does. A 413 is
    declared where a body is sent."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for methods in schema.get("paths", {}).values():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_STATUSES.items():
                    if status == 413 and method.lower() in ("get", "delete"):
                        continue
                    responses.setdefault(str(status), responses.pop(status, None) or {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
        return schema


api = KehuAPI(
    title="kehu API",
    version="1",
    description="Customer management for Chinese enterprises and financial institutions (客户管理系统).",
    auth=[BearerAuth()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=docs_access,
)


def error(request: HttpRequest, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    extra = {}
    if getattr(exc, "field", None):
        extra["field"] = exc.field
    if getattr(exc, "problems", None):
        extra["problems"] = exc.problems
    return error(request, exc.http_status, exc.code, str(exc.message), **extra)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = []
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        details.append({"field": ".".join(loc), "message": str(item.get("msg", ""))})
    first = details[0] if details else {"field": "", "message": ""}
    message = _("Invalid input: %(field)s: %(msg)s") % {"field": first["field"] or "-", "msg": first["message"]}
    return error(request, 422, "invalid_input", message, errors=details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "unauthenticated", _("A valid API token is required (Authorization: Bearer ...)."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             413: "too_large"}
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error(request, 413, "too_large", _("The request body is too large."))


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    # An integer beyond 64 bits in a path, query or body reached the database (issue 11, defect 5).
    return error(request, 400, "out_of_range", _("A number in the request is out of range."))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    if out_of_range_error(exc):  # PostgreSQL's numeric_value_out_of_range (a DataError)
        return on_overflow(request, exc)
    # A bug: still answer in JSON, and log it with the traceback.
    logger.exception("unhandled API error")
    return error(request, 500, "server_error", _("An unexpected error occurred; it has been logged."))


from kehu.accounts.api import router as accounts_router  # noqa: E402
from kehu.activities.api import router as activities_router  # noqa: E402
from kehu.backup.api import router as backup_router  # noqa: E402
from kehu.bulk.api import router as customers_bulk_router  # noqa: E402
from kehu.core.api import router as core_router  # noqa: E402
from kehu.core.jobs_api import router as jobs_router  # noqa: E402
from kehu.credit.api import router as credit_router  # noqa: E402
from kehu.customers.api import router as customers_router  # noqa: E402
from kehu.exposure.api import router as exposure_router  # noqa: E402
from kehu.grading.api import router as grading_router  # noqa: E402
from kehu.helpdesk.api import router as helpdesk_router  # noqa: E402
from kehu.privacy.api import router as privacy_router  # noqa: E402
from kehu.reception.api import router as reception_router  # noqa: E402
from kehu.staff.api import router as staff_router  # noqa: E402
from kehu.suitability.api import router as suitability_router  # noqa: E402
from kehu.surveys.api import router as surveys_router  # noqa: E402
from kehu.trade.api import router as trade_router  # noqa: E402
from kehu.tradecredit.api import router as tradecredit_router  # noqa: E402

api.add_router("", core_router)
api.add_router("", jobs_router)
api.add_router("", customers_router)
api.add_router("", customers_bulk_router)
api.add_router("", grading_router)
api.add_router("", trade_router)
api.add_router("", tradecredit_router)
api.add_router("", credit_router)
api.add_router("", exposure_router)
api.add_router("", helpdesk_router)
api.add_router("", activities_router)
api.add_router("", accounts_router)
api.add_router("", reception_router)
api.add_router("", surveys_router)
api.add_router("", suitability_router)
api.add_router("", staff_router)
api.add_router("", privacy_router)
api.add_router("", backup_router)
