from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "kehu.reception"
    label = "reception"
    verbose_name = _("Reception")

    def ready(self):
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.core.scheduler import register_job

        from . import jobs, permissions
        from .events import LABELS as RECEPTIONEVENT_LABELS
        from .events import ReceptionEvent
        from .params import PARAMS

        register_events(ReceptionEvent, RECEPTIONEVENT_LABELS)
        register_permissions(permissions.ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(label=_("Reception"), url_name="reception:desk", perm=permissions.VIEW, order=45))
        for job in jobs.JOBS:
            register_job(job)
        from . import retention

        retention.register()  # visitor registrations (privacy sweeper)
