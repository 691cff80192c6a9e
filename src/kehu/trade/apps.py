from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    """The trade facts: sales, orders, deliveries, invoices and payments (trade credit is kehu.tradecredit)."""

    name = "kehu.trade"
    label = "trade"
    verbose_name = _("Trade facts")

    def ready(self) -> None:
        # Imported here, not at the top: Django imports apps.py before the models are ready.
        from kehu.core.audit import register_events
        from kehu.core.permissions import register_permissions
        from kehu.customers.overview import TimelineKind, register_timeline_kind
        from kehu.trade import imports  # noqa: F401  (registers the sales/deliveries/invoices/payments importers)
        from kehu.trade.events import LABELS, TradeFactEvent
        from kehu.trade.permissions import ROLE_PERMISSIONS, TradePerm

        register_events(TradeFactEvent, LABELS)
        register_permissions(ROLE_PERMISSIONS)
        facts = frozenset(v for k, v in vars(TradeFactEvent).items() if k.isupper() and isinstance(v, int))
        register_timeline_kind(TimelineKind("trade", _("Invoices and payments"), 40, TradePerm.FACTS_VIEW, facts))
