"""Follow-ups in the inbox (kehu.core.inbox): my follow-ups due today or overdue, and for managers the
team's overdue follow-ups and the customers past their contact interval."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.activities import selectors
from kehu.activities.permissions import ActivityPerm
from kehu.core.inbox import InboxRow, InboxSection, section
from kehu.core.selectors import access_for
from kehu.customers.selectors import masked


def _task_row(task) -> InboxRow:
    state = {"overdue": _("Overdue"), "today": _("Due today")}.get(getattr(task, "state", ""), "")
    return InboxRow(url=reverse("customers:detail", args=[task.customer_id]) + "#activities",
                    title=masked(task.customer, "name"), detail=task.title,
                    status=f"{task.due_on:%Y-%m-%d} {state}".strip(), code="overdue" if state else "",
                    customer_id=task.customer_id)


def sections(user) -> list[InboxSection]:
    access = access_for(user)
    if not access.has(ActivityPerm.VIEW):
        return []
    today = timezone.localdate()
    out = [section("follow_ups_due", gettext_lazy("My follow-ups due today or overdue"),
                   selectors.reminders(user=user, today=today), _task_row)]
    if access.has(ActivityPerm.TEAM):
        out.append(section("team_overdue", gettext_lazy("The team's overdue follow-ups"),
                           selectors.team_overdue(user=user, today=today), _task_row))
    return out
