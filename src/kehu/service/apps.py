from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "kehu.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from kehu.core.audit import register_events
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.service.events import ServiceEvent
        from kehu.service.params import PARAMS
        from kehu.service.permissions import ROLE_PERMISSIONS

        register_events(ServiceEvent)
        register_permissions(ROLE_PERMISSIONS)
        register_params(PARAMS)
