from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "kehu.trade"
    label = "trade"
    verbose_name = _("Trade credit")

    def ready(self) -> None:
        from kehu.core.audit import register_events
        from kehu.core.permissions import register_permissions
        from kehu.trade import imports  # noqa: F401  (registers the sales/deliveries/invoices/payments importers)
        from kehu.trade.events import TradeFactEvent
        from kehu.trade.permissions import ROLE_PERMISSIONS

        register_events(TradeFactEvent)
        register_permissions(ROLE_PERMISSIONS)
