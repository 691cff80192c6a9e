"""Class III remediation tasks in the inbox (kehu.core.inbox): the open tasks of the customers the user
may remediate (a customer manager: their own customers), overdue first (银发〔2018〕16号 一(五))."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts import rules, selectors
from kehu.accounts.models import TaskStatus
from kehu.accounts.permissions import AccountsPerm
from kehu.core.inbox import InboxRow, InboxSection, section
from kehu.core.selectors import access_for
from kehu.customers.selectors import masked


def sections(user) -> list[InboxSection]:
    if not access_for(user).has(AccountsPerm.REMEDIATE):
        return []
    today = timezone.localdate()

    def row(task) -> InboxRow:
        overdue = rules.is_overdue(due=task.due_date, today=today)
        status = date_format(task.due_date, "Y-m-d") + (" " + _("Overdue") if overdue else "")
        return InboxRow(url=reverse("accounts:task", args=[task.pk]), title=masked(task.customer, "name"),
                        detail=_("Class III total reached %(total)s: valid ID, occupation, address and ID "
                                 "expiry needed") % {"total": f"¥{rules.fen_to_amount(task.total_fen):,.2f}"},
                        status=status, code="overdue" if overdue else "", customer_id=task.customer_id)

    tasks = (selectors.tasks_visible_to(user, AccountsPerm.REMEDIATE).filter(status=TaskStatus.OPEN)
             .order_by("due_date", "pk"))
    return [section("class3_remediation", gettext_lazy("Class III ID remediation"), tasks, row)]
