from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict


class OutsideReceptionHours(Conflict):
    code = "outside_reception_hours"
    default_message = _("The slot is outside reception hours; a manager must approve it.")


class ChecklistIncomplete(Conflict):
    code = "vip_checklist_incomplete"
    default_message = _("Tick every item of the VIP checklist before the visitor checks out.")
