from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, DomainError, InvalidInput


class AdmissionBlocked(DomainError):
    code = "admission_blocked"
    http_status = 409
    default_message = _("The customer does not meet the admission requirements.")

    def __init__(self, message=None, *, problems: list[str] | None = None, **kw):
        super().__init__(message, **kw)
        self.problems = problems or []


class CustomerNotTradable(DomainError):
    code = "customer_not_qualified"
    http_status = 409
    default_message = _("Only a qualified customer can receive credit or orders.")


class DuplicateCustomer(Conflict):
    code = "duplicate_customer"
    default_message = _("A customer with this identifier already exists.")


class InvalidIdentifier(InvalidInput):
    code = "invalid_identifier"
