from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict


class AlreadyRecorded(Conflict):
    code = "already_recorded"
    default_message = _("This source has already reduced the receivables.")
