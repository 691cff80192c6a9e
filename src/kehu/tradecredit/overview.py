"""What trade credit adds to the customer page: credit limit and use, receivables and overdue; orders,
holds and limits on the timeline (from the audit log). The facts' timeline kind is kehu.trade's."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.templatetags.kehu_tags import money
from kehu.customers.overview import SummaryCard, TimelineKind, register_card, register_timeline_kind
from kehu.tradecredit.events import TradeCreditEvent
from kehu.tradecredit.models import CreditAccount
from kehu.tradecredit.permissions import TradeCreditPerm
from kehu.tradecredit.services.exposure import exposure_of


def _credit_card(*, customer, user, access, today) -> dict:
    account = CreditAccount.objects.filter(customer=customer).only("limit_amount").first()
    limit = account.limit_amount if account else None
    exposure = exposure_of(customer.pk, today=today)
    rows = [{"label": _("Credit limit"), "value": money(limit) if limit is not None else _("none")}]
    used = exposure.total
    state = ""
    if limit is not None and limit > 0:
        state = "bad" if used > limit else "warn" if used * 10 >= limit * 9 else "ok"
    rows.append({"label": _("In use"), "value": money(used), "state": state})
    rows.append({"label": _("Open receivables"), "value": money(exposure.open_receivables)})
    rows.append({"label": _("Overdue"), "value": money(exposure.overdue_amount),
                 "state": "bad" if exposure.overdue_invoices else ""})
    return {"url": reverse("tradecredit:credit", args=[customer.pk]), "rows": rows}


def register() -> None:
    register_card(SummaryCard("trade_credit", gettext_lazy("Trade credit"), 30, TradeCreditPerm.VIEW, _credit_card))
    orders = frozenset(v for k, v in vars(TradeCreditEvent).items() if k.isupper() and isinstance(v, int))
    register_timeline_kind(TimelineKind("orders", gettext_lazy("Orders, holds and limits"), 45, TradeCreditPerm.VIEW,
                                        orders))
