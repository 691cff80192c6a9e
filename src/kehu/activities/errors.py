from django.utils.translation import gettext_lazy as _

from kehu.core.errors import Conflict, InvalidTransition


class TaskClosed(InvalidTransition):
    code = "task_closed"
    default_message = _("This follow-up is already closed.")


class StaleActivity(Conflict):
    code = "stale_activity"
    default_message = _("Someone else changed this activity; reload and try again.")
