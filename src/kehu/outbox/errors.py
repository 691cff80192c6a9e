from django.utils.translation import gettext_lazy as _

from kehu.core.errors import DomainError, NotFound


class LinkInvalid(NotFound):
    """The token is not one kehu signed, was tampered with, or is for another purpose."""

    code = "link_invalid"
    default_message = _("This link is not valid.")


class LinkExpired(DomainError):
    code = "link_expired"
    http_status = 410
    default_message = _("This link has expired.")


class LinkUsed(DomainError):
    code = "link_used"
    http_status = 410
    default_message = _("This link has already been used.")
