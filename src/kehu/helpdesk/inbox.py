"""Customer-service work for the inbox (kehu.core.inbox): extension requests a supervisor of a higher level
decides (S-6), allowances waiting for the user's sign-off (S-12), and overdue tickets."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kehu.core.inbox import InboxRow, InboxSection, section
from kehu.core.selectors import access_for
from kehu.customers.selectors import masked
from kehu.helpdesk import allowance, rules
from kehu.helpdesk import permissions as P
from kehu.helpdesk.models import Kind, State, Ticket
from kehu.helpdesk.selectors import is_higher_level_supervisor

# Candidates looked at per user for the checks made per ticket (level, sign-off roles).
LOOKED_AT = 200


def _row(ticket: Ticket, detail: str = "") -> InboxRow:
    return InboxRow(url=reverse("helpdesk:ticket_detail", args=[ticket.pk]), title=masked(ticket.customer, "name"),
                    customer_id=ticket.customer_id,
                    detail=detail or f"{ticket.get_kind_display()} #{ticket.pk}: {ticket.subject}",
                    status=ticket.get_state_display(), code="pending")


def sections(user) -> list[InboxSection]:
    access = access_for(user)
    tickets = Ticket.objects.select_related("customer")
    result = []
    if access.has(P.APPROVE):
        waiting = tickets.filter(access.scope_q(P.APPROVE, org_path_field="org_path", owner_field="owner_id"),
                                 data__has_key="extension_request").order_by("pk")[:LOOKED_AT]
        mine = [t for t in waiting if is_higher_level_supervisor(user, t.org_path)
                and user.pk not in (t.data["extension_request"].get("by"), t.created_by_id, t.handler_id)]
        result.append(section("extensions", gettext_lazy("Complaint extensions waiting for my decision"), mine, _row))
    if access.has(P.SIGN_ALLOWANCE):
        waiting = tickets.filter(access.scope_q(P.SIGN_ALLOWANCE, org_path_field="org_path", owner_field="owner_id"),
                                 kind=Kind.ALLOWANCE, state=State.RECEIVED).order_by("pk")[:LOOKED_AT]
        mine = [t for t in waiting if allowance.signable_roles(user, t)]
        result.append(section("allowances", gettext_lazy("Allowances waiting for my sign-off"), mine, _row))
    if access.has(P.HANDLE):
        overdue = tickets.filter(access.scope_q(P.HANDLE, org_path_field="org_path", owner_field="owner_id"),
                                 paused_at__isnull=True, resolution_due__lt=timezone.now()).exclude(
            state__in=rules.TERMINAL)
        if not access.has(P.APPROVE):  # an agent sees the tickets they handle and those nobody took yet
            overdue = overdue.filter(Q(handler=user) | Q(handler__isnull=True))
        result.append(section("overdue_tickets", gettext_lazy("Overdue service tickets"),
                              overdue.order_by("resolution_due", "pk"), _row))
    return result
