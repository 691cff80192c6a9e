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
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.permissions import Perm

        register_nav(NavItem(_("API tokens"), "tokens_all", Perm.USER_MANAGE, order=90))
