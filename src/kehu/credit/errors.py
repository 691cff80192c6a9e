from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, DomainError


class CreditRefused(DomainError):
    """The guard refused a use; ``code`` says which limit and the message says by how much."""

    code = "credit_refused"
    http_status = 409
    default_message = _("The credit line does not allow this use.")


class RatingTooLow(DomainError):
    code = "rating_too_low"
    http_status = 409
    default_message = _("The customer's rating is below the minimum for a comprehensive credit line.")


class NoAuthority(DomainError):
    code = "no_authority"
    http_status = 403
    default_message = _("Your level has no authority to approve this line.")


class IdempotencyMismatch(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This idempotency key was already used for a different request.")
