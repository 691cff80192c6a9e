from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "kehu.trade"
    label = "trade"
    verbose_name = _("Trade credit")

    def ready(self) -> None:
        from kehu.trade import overview as customer_overview

        customer_overview.register()  # the customer page's card and timeline kinds
        from kehu.core.audit import register_events
        from kehu.core.permissions import register_permissions
        from kehu.trade import imports  # noqa: F401  (registers the sales/deliveries/invoices/payments importers)
        from kehu.trade.events import LABELS as FACT_LABELS
        from kehu.trade.events import TradeFactEvent
        from kehu.trade.permissions import ROLE_PERMISSIONS

        register_events(TradeFactEvent, FACT_LABELS)
        register_permissions(ROLE_PERMISSIONS)
        # trade credit: limits, orders, holds
        from kehu.core.params import register_params
        from kehu.trade.credit_events import LABELS as TRADE_CREDIT_LABELS
        from kehu.trade.credit_events import TradeCreditEvent
        from kehu.trade.credit_permissions import ROLE_PERMISSIONS as CREDIT_ROLE_PERMISSIONS
        from kehu.trade.params import PARAMS

        register_events(TradeCreditEvent, TRADE_CREDIT_LABELS)
        register_permissions(CREDIT_ROLE_PERMISSIONS)
        register_params(PARAMS)
        from kehu.core.nav import NavItem, register_nav
        from kehu.trade.credit_permissions import CreditPerm

        register_nav(NavItem(_("Sales orders"), "trade:orders", CreditPerm.VIEW, order=37))
        from kehu.core.inbox import InboxProvider, register_inbox
        from kehu.trade import inbox

        register_inbox(InboxProvider(name="trade", sections=inbox.sections, order=35))
