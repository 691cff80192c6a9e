from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "kehu.grading"
    label = "grading"
    verbose_name = _("Customer grading")

    def ready(self) -> None:
        from kehu.grading import overview as customer_overview

        customer_overview.register()  # the customer page's card and timeline kinds
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.grading.events import LABELS as GRADING_LABELS
        from kehu.grading.events import GradingEvent
        from kehu.grading.params import PARAMS
        from kehu.grading.permissions import ROLE_PERMISSIONS, GradingPerm

        register_events(GradingEvent, GRADING_LABELS)
        register_permissions(ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(_("Customer grading"), "grading:runs", GradingPerm.VIEW, order=35))
        from kehu.core.scheduler import register_job
        from kehu.grading.jobs import JOB

        register_job(JOB)
        from kehu.core.jobs import register_job_kind
        from kehu.grading.jobs import authorize_run, run_job

        register_job_kind("grading.run", run_job, label=_("Customer grading run"), idempotent=True,
                          authorize=authorize_run)
