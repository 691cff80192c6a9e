from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "kehu.staff"
    label = "staff"
    verbose_name = _("Staff assessment")

    def ready(self):
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.core.scheduler import register_job

        from . import jobs, permissions
        from .events import LABELS as STAFFEVENT_LABELS
        from .events import StaffEvent
        from .params import PARAMS

        register_events(StaffEvent, STAFFEVENT_LABELS)
        register_permissions(permissions.ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(label=_("Scorecard"), url_name="staff:mine", perm=permissions.SELF, order=47))
        register_job(jobs.JOB)
