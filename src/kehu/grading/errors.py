from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict


class PeriodClosed(Conflict):
    code = "period_closed"
    default_message = _("This period is closed; reopen it with a reason to run it again.")


class NoApprovedPolicy(Conflict):
    code = "no_approved_policy"
    default_message = _("No approved scorecard policy; a second person must approve one first.")
