"""The admission work of the inbox (kehu.core.inbox): applications to correct, check, review, give an
opinion on or vote on, licences running out, and personal-data changes waiting for consent."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.inbox import InboxRow, InboxSection, section
from kehu.customers import selectors
from kehu.customers.templatetags.customer_tags import field_label

# The inbox kinds of selectors.inbox_for, with the heading each gets on the dashboard.
LABELS = {
    "returned": gettext_lazy("My drafts and applications returned for correction"),
    "sales_check": gettext_lazy("Waiting for the sales pre-check"),
    "office_review": gettext_lazy("Waiting for the office review"),
    "opinion": gettext_lazy("Waiting for my department's opinion"),
    "committee": gettext_lazy("Waiting for my committee vote"),
    "licence_expiring": gettext_lazy("Licences expired or expiring soon"),
    "consent": gettext_lazy("Personal-data changes waiting for the customer's consent"),
}


def sections(user) -> list[InboxSection]:
    return [section(kind, LABELS.get(kind, kind), queryset, lambda row, kind=kind: _row(kind, row))
            for kind, queryset in selectors.inbox_for(user).items()]


def _row(kind: str, row) -> InboxRow:
    customer = row.customer
    base = reverse("customers:detail", args=[customer.pk])
    entry = InboxRow(url="", title=selectors.masked(customer, "name"), detail="", customer_id=customer.pk)
    if kind == "licence_expiring":
        entry.url, entry.detail, entry.status = base + "#licences", row.get_kind_display(), str(row.valid_to)
    elif kind == "consent":
        entry.url, entry.status = base + "#consents", row.get_status_display()
        entry.detail = "、".join(str(field_label(f)) for f in row.fields)
    else:
        entry.url = f"{base}#application-{row.pk}"
        entry.detail = _("Application #%(id)s, round %(round)s") % {"id": row.pk, "round": row.round}
        entry.status, entry.code = row.get_status_display(), row.status
    return entry
