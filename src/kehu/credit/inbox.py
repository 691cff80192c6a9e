"""Credit-line work for the inbox (kehu.core.inbox): lines routed to the approver's level and line
increases waiting for a second person; never the approver's own requests."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.inbox import InboxRow, InboxSection, section
from kehu.core.selectors import access_for
from kehu.core.templatetags.kehu_tags import money
from kehu.credit import selectors
from kehu.credit.permissions import CreditPerm
from kehu.customers.selectors import masked


def _holder(line) -> tuple[str, int | None]:
    if line.customer_id:
        return masked(line.customer, "name"), line.customer_id
    return line.group.name if line.group_id else "", None


def sections(user) -> list[InboxSection]:
    if not access_for(user).has(CreditPerm.APPROVE):
        return []

    def line_row(line) -> InboxRow:
        title, customer_id = _holder(line)
        return InboxRow(url=reverse("credit:detail", args=[line.pk]), title=title, customer_id=customer_id,
                        detail=_("Line #%(id)s: %(amount)s %(currency)s requested") % {
                            "id": line.pk, "amount": money(line.requested_amount), "currency": line.currency},
                        status=line.get_status_display(), code="pending")

    def change_row(change) -> InboxRow:
        title, customer_id = _holder(change.line)
        return InboxRow(url=reverse("credit:detail", args=[change.line_id]) + "#pending-change", title=title,
                        customer_id=customer_id,
                        detail=_("Line #%(id)s: increase from %(old)s to %(new)s %(currency)s") % {
                            "id": change.line_id, "old": money(change.line.line_amount),
                            "new": money(change.line_amount), "currency": change.line.currency},
                        status=change.get_status_display(), code="pending")

    changes = [c for c in selectors.line_changes(user=user) if c.requested_by_id != user.pk]
    return [
        section("credit_lines", gettext_lazy("Credit lines waiting for my approval"),
                selectors.approval_inbox(user=user), line_row),
        section("credit_increases", gettext_lazy("Credit line increases waiting for approval"), changes, change_row),
    ]
