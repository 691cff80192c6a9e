"""What bank credit lines add to the customer page: lines and what is available; line events on the timeline."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.templatetags.kehu_tags import money
from kehu.credit import rules
from kehu.credit.events import CreditEvent
from kehu.credit.models import CreditLine
from kehu.credit.permissions import CreditPerm
from kehu.credit.selectors import availability
from kehu.customers.overview import SummaryCard, TimelineKind, register_card, register_timeline_kind


def _card(*, customer, user, access, today) -> dict | None:
    lines = list(CreditLine.objects.filter(customer=customer, kind="customer",
                                           status__in=sorted(rules.LIVE_STATUSES)).order_by("-pk")[:5])
    if not lines:
        return None
    limit = available = Decimal("0")
    rows = []
    for line in lines:
        figures = availability(line, today)
        limit += figures["limit_amount"]
        available += figures["available_amount"]
        if line.status != "active":
            rows.append({"label": _("Line %(id)s") % {"id": line.pk}, "value": line.get_status_display(),
                         "state": "warn", "url": reverse("credit:detail", args=[line.pk])})
    head = [{"label": _("Credit lines"), "value": money(limit)},
            {"label": _("Available"), "value": money(available), "state": "ok" if available > 0 else "warn"}]
    return {"url": reverse("credit:detail", args=[lines[0].pk]), "rows": head + rows}


def register() -> None:
    register_card(SummaryCard("bank_credit", gettext_lazy("Bank credit lines"), 40, CreditPerm.VIEW, _card))
    codes = frozenset(v for k, v in vars(CreditEvent).items() if k.isupper() and isinstance(v, int))
    register_timeline_kind(TimelineKind("credit_line", gettext_lazy("Credit line events"), 50, CreditPerm.VIEW,
                                        codes))
