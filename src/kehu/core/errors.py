"""Domain errors: one base class with a stable code, mapped to HTTP in one place (kehu.api)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the operation. ``code`` is stable; ``message`` is translated."""

    code = "domain_error"
    http_status = 400
    default_message = _("The operation is not allowed.")

    def __init__(self, message: object = None, *, code: str | None = None, **params: Any) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 400
    default_message = _("The input is not valid.")

    def __init__(self, message: object = None, *, field: str | None = None, code: str | None = None,
                 **params: Any) -> None:
        super().__init__(message, code=code, **params)
        self.field = field


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _("The object was changed by someone else; reload and try again.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This action is not allowed in the current state.")


class SelfApprovalNotAllowed(PermissionDenied):
    code = "self_approval"
    default_message = _("You cannot approve what you submitted yourself.")


class AccountLocked(DomainError):
    code = "account_locked"
    http_status = 403
    default_message = _("The account is locked after too many failed logins; try again later.")


class LoginThrottled(AccountLocked):
    """Too many failed logins for a username or from an address: wait. The same answer whether or not
    the username exists (no enumeration)."""

    code = "login_throttled"
    http_status = 429
    default_message = _("Too many failed logins; try again later.")


class SecondFactorRequired(DomainError):
    code = "second_factor_required"
    http_status = 403
    default_message = _("This needs the second factor: enrol an authenticator app and log in with a code.")
