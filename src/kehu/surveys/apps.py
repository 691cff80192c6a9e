from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "kehu.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self):
        from kehu.core.audit import register_events
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.core.scheduler import register_job

        from . import jobs, permissions
        from .events import LABELS as SURVEYEVENT_LABELS
        from .events import SurveyEvent
        from .params import PARAMS

        register_events(SurveyEvent, SURVEYEVENT_LABELS)
        register_permissions(permissions.ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(label=_("Satisfaction"), url_name="surveys:report", perm=permissions.VIEW, order=46))
        register_job(jobs.JOB)
        from . import retention

        retention.register()  # survey comments (privacy sweeper)

        from kehu.core.jobs import register_job_kind

        register_job_kind("surveys.dispatch", jobs.dispatch_job, label=_("Satisfaction survey dispatch"),
                          idempotent=True, authorize=jobs.authorize_dispatch)
