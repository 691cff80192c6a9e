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
