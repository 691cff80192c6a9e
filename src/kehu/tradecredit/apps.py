from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeCreditConfig(AppConfig):
    """Trade credit: limits by grade, orders under the credit check, holds and releases (domain spec 3B)."""

    name = "kehu.tradecredit"
    label = "tradecredit"
    verbose_name = _("Trade credit")

    def ready(self) -> None:
        # Imported here, not at the top: Django imports apps.py before the models are ready.
        from kehu.core.audit import register_events
        from kehu.core.inbox import InboxProvider, register_inbox
        from kehu.core.nav import NavItem, register_nav
        from kehu.core.params import register_params
        from kehu.core.permissions import register_permissions
        from kehu.grading.models import GradingRun
        from kehu.grading.signals import run_closed
        from kehu.trade.hooks import register_receivable_guard
        from kehu.tradecredit import inbox, overview, services
        from kehu.tradecredit.events import LABELS, TradeCreditEvent
        from kehu.tradecredit.params import PARAMS
        from kehu.tradecredit.permissions import ROLE_PERMISSIONS, TradeCreditPerm

        register_events(TradeCreditEvent, LABELS)
        register_permissions(ROLE_PERMISSIONS)
        register_params(PARAMS)
        register_nav(NavItem(_("Sales orders"), "tradecredit:orders", TradeCreditPerm.VIEW, order=37))
        register_inbox(InboxProvider(name="trade", sections=inbox.sections, order=35))
        overview.register()  # the customer page's credit card and the orders' timeline kind
        # A stand-alone delivery or invoice of the facts passes the credit check (L-5).
        register_receivable_guard(services.receivable_guard)
        run_closed.connect(services.recalculate_after_grading, sender=GradingRun, dispatch_uid="tradecredit.recalc")

