"""Trade-credit work for the inbox (kehu.core.inbox): held orders the user's release authority covers
(L-5) and limit increases waiting for approval (L-6), never the user's own."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.inbox import InboxRow, InboxSection, section
from kehu.core.selectors import access_for
from kehu.core.templatetags.kehu_tags import money
from kehu.customers.selectors import masked
from kehu.trade.models import OrderStatus
from kehu.tradecredit import selectors as selectors
from kehu.tradecredit.permissions import TradeCreditPerm

# Held orders looked at per user: the release check is made per order, so the list is bounded.
HOLDS_LOOKED_AT = 200


def sections(user) -> list[InboxSection]:
    access = access_for(user)
    result = []
    if access.has(TradeCreditPerm.ORDER_RELEASE):
        held, _next = selectors.order_list(user=user, status=OrderStatus.CREDIT_HOLD, limit=HOLDS_LOOKED_AT)
        mine = []
        for order in held:
            view = selectors.hold_view(user=user, order=order)
            if view is not None and view.may_release:
                mine.append(order)
        result.append(section("orders_on_hold", gettext_lazy("Orders on credit hold I may release"), mine,
                              lambda o: InboxRow(
                                  url=reverse("tradecredit:order", args=[o.pk]), title=masked(o.customer, "name"),
                                  customer_id=o.customer_id, detail=_("Order #%(id)s: %(amount)s %(currency)s") % {
                                      "id": o.pk, "amount": money(o.amount), "currency": o.currency},
                                  status=o.get_status_display(), code="pending")))
    if access.has(TradeCreditPerm.LIMIT_APPROVE):
        changes = []
        for change in selectors.limit_changes(user=user):
            customer = change.account.customer
            if change.requested_by_id != user.pk and access.reaches(
                    TradeCreditPerm.LIMIT_APPROVE, org_path=customer.org_path, owner_id=customer.manager_id):
                changes.append(change)
        result.append(section("limit_increases", gettext_lazy("Credit limit increases waiting for my approval"),
                              changes, lambda c: InboxRow(
                                  url=reverse("tradecredit:limit_changes"), title=masked(c.account.customer, "name"),
                                  customer_id=c.account.customer_id,
                                  detail=_("Limit from %(old)s to %(new)s") % {
                                      "old": money(c.current_amount), "new": money(c.proposed_amount)},
                                  status=c.get_status_display(), code="pending")))
    return result
