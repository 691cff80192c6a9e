"""Domain errors of trade credit (limits, orders, holds). Facts errors live with the facts services."""

from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, DomainError, PermissionDenied


class CreditCheckFailed(DomainError):
    """A receivable (an invoice or delivery created outside an order) does not fit the customer's credit."""

    code = "credit_check_failed"
    http_status = 409
    default_message = _("This does not fit the customer's credit limit.")


class NoReleaseAuthority(PermissionDenied):
    code = "no_release_authority"
    default_message = _("Releasing this order needs a higher authority.")


class IdempotencyMismatch(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This idempotency key was already used for a different request.")


class OrderNumberTaken(Conflict):
    code = "order_number_taken"
    default_message = _("An order with this number already exists.")


class LaterPeriodRecalculated(Conflict):
    code = "later_period_recalculated"
    default_message = _("Limits were already recalculated for a later period.")
