"""What the helpdesk adds to the customer page: open tickets with their time left; ticket steps on the timeline."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import calendar as cr
from kehu.core.selectors import calendar_for
from kehu.customers.overview import SummaryCard, TimelineKind, register_card, register_timeline_kind
from kehu.helpdesk import permissions as P
from kehu.helpdesk.events import HelpdeskEvent
from kehu.helpdesk.models import Ticket
from kehu.helpdesk.rules import TERMINAL
from kehu.helpdesk.services import clock_unit


def _card(*, customer, user, access, today) -> dict:
    open_tickets = list(Ticket.objects.filter(customer=customer).exclude(state__in=sorted(TERMINAL))
                        .order_by("resolution_due", "id")[:5])
    total = Ticket.objects.filter(customer=customer).exclude(state__in=sorted(TERMINAL)).count()
    rows = [{"label": _("Open tickets"), "value": str(total), "state": "warn" if total else ""}]
    now = timezone.now()
    for t in open_tickets:
        if t.resolution_due is None:
            value, state = t.get_state_display(), ""
        else:
            left = cr.remaining(now, t.resolution_due, calendar_for(t.org_path), unit=clock_unit(t))
            overdue = left.total_seconds() < 0
            value = (_("overdue %(time)s") if overdue else _("%(time)s left")) % {
                "time": cr.format_duration(abs(left))}
            state = "bad" if overdue else ""
        rows.append({"label": t.subject[:40], "value": value, "state": state,
                     "url": reverse("helpdesk:ticket_detail", args=[t.pk])})
    return {"url": reverse("helpdesk:ticket_list"), "rows": rows}


def register() -> None:
    register_card(SummaryCard("tickets", gettext_lazy("Customer service"), 50, P.VIEW, _card))
    codes = frozenset(v for k, v in vars(HelpdeskEvent).items() if k.isupper() and isinstance(v, int))
    register_timeline_kind(TimelineKind("ticket", gettext_lazy("Tickets"), 60, P.VIEW, codes))
