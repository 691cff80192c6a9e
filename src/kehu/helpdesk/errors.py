from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, PermissionDenied


class HandlerIsSubject(PermissionDenied):
    """回避: the staff member a complaint is about may not handle or approve it."""

    default_message = _("The staff member the complaint is about cannot handle it.")


class ReopenWindowClosed(Conflict):
    default_message = _("The complaint was closed too long ago to be reopened.")
