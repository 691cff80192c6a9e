from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExposureConfig(AppConfig):
    name = "kehu.exposure"
    label = "exposure"
    verbose_name = _("Credit exposure and regulatory statistics")

    def ready(self) -> None:
        from kehu.core.audit import register_events
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.exposure.events import LABELS as EXPOSURE_LABELS
        from kehu.exposure.events import ExposureEvent
        from kehu.exposure.params import PARAMS
        from kehu.exposure.permissions import ROLE_PERMISSIONS

        register_events(ExposureEvent, EXPOSURE_LABELS)
        register_permissions(ROLE_PERMISSIONS)
        register_params(PARAMS)
        from kehu.core.nav import NavItem, register_nav
        from kehu.exposure.permissions import ExposurePerm

        register_nav(NavItem(_("Risk statistics"), "exposure:index", ExposurePerm.VIEW, order=31))
        from kehu.core.inbox import InboxProvider, register_inbox
        from kehu.exposure import inbox

        register_inbox(InboxProvider(name="exposure", sections=inbox.sections, order=40))
        from kehu.core.jobs import register_job_kind
        from kehu.exposure import jobs

        # Idempotent: the freeze is one transaction, and a run that finds it committed reports it.
        register_job_kind(jobs.KIND, jobs.freeze_job, label=_("Month-end freeze"), idempotent=True,
                          authorize=jobs.authorize_freeze)
