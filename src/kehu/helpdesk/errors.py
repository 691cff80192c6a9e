from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, PermissionDenied


class HandlerIsSubject(PermissionDenied):
    """回避: the staff member a complaint is about may not handle or approve it."""

    default_message = _("The staff member the complaint is about cannot handle it.")


class ReopenWindowClosed(Conflict):
    default_message = _("The complaint was closed too long ago to be reopened.")


class AlreadySigned(Conflict):
    """One person signs an allowance once, whatever roles they hold (domain spec S-12 sign-offs)."""

    code = "already_signed"
    default_message = _("You have already signed this allowance; another approver must sign.")


class EvidenceMissing(Conflict):
    """S-12: the buyer's stamped evidence must be on file before anyone signs."""

    code = "evidence_missing"
    default_message = _("The buyer's stamped allowance certificate or invoice copy must be on file before "
                        "the first sign-off.")


class NotSignable(PermissionDenied):
    code = "approval_level"
    default_message = _("None of your roles has a sign-off outstanding on this allowance.")
