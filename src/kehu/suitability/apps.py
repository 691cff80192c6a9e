from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuitabilityConfig(AppConfig):
    name = "kehu.suitability"
    label = "suitability"
    verbose_name = _("Asset-management suitability")

    def ready(self):
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.core.scheduler import register_job

        from . import jobs, permissions
        from .events import LABELS as SUITABILITYEVENT_LABELS
        from .events import SuitabilityEvent
        from .params import PARAMS

        register_events(SuitabilityEvent, SUITABILITYEVENT_LABELS)
        register_permissions(permissions.ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_job(jobs.JOB)
        from . import retention

        retention.register()  # the suitability hold (PI-9)
        register_nav(NavItem(label=_("Suitability"), url_name="suitability:home", perm=permissions.VIEW, order=60))
