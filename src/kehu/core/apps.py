from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from kehu.core.params import register_params
        from kehu.core.scheduler import PARAMS

        register_params(PARAMS)
        from kehu.core.inputs import PARAMS as INPUT_PARAMS

        register_params(INPUT_PARAMS)
        from kehu.core.audit import CHECKPOINT_JOB, CHECKPOINT_PARAMS
        from kehu.core.scheduler import register_job

        register_params(CHECKPOINT_PARAMS)
        register_job(CHECKPOINT_JOB)
        from kehu.core.services import THROTTLE_PURGE_JOB

        register_job(THROTTLE_PURGE_JOB)
        from kehu.core.audit import register_events
        from kehu.core.jobs import LABELS as JOB_LABELS
        from kehu.core.jobs import PARAMS as JOB_PARAMS
        from kehu.core.jobs import JobEvent, register_job_kind
        from kehu.core.scheduler import SLOT_KIND, STALE_JOB, run_slot_job

        register_params(JOB_PARAMS)
        register_events(JobEvent, JOB_LABELS)
        register_job(STALE_JOB)
        # Not idempotent as a job: a failed slot is retried by a later tick (``scheduler.max_attempts``).
        register_job_kind(SLOT_KIND, run_slot_job, label=_("Scheduled job"))
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.permissions import Perm

        register_nav(NavItem(_("API tokens"), "tokens_all", Perm.USER_MANAGE, order=90))
