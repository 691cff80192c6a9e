"""What activities add to the customer page: the last and next contact, and activities on the timeline."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.activities import rules
from kehu.activities.events import ActivityEvent
from kehu.activities.models import Activity
from kehu.activities.permissions import ActivityPerm
from kehu.activities.selectors import contact_summary
from kehu.activities.views import section_context
from kehu.core.params import get_param
from kehu.customers.overview import (
    PageSection,
    SummaryCard,
    TimelineEntry,
    TimelineKind,
    register_card,
    register_section,
    register_timeline_kind,
)


def _card(*, customer, user, access, today) -> dict:
    summary = contact_summary(customer.pk)
    last = summary["last"]
    interval = rules.contact_interval(customer.grade, get_param("activities.contact_interval_days"),
                                      get_param("activities.contact_interval_ungraded_days"))
    if last is None:
        rows = [{"label": _("Last contact"), "value": _("none recorded"), "state": "warn"}]
    else:
        when = timezone.localtime(last.occurred_at).date()
        over = rules.contact_overdue(when, when, today, interval)
        rows = [{"label": _("Last contact"), "state": "bad" if over else "ok",
                 "value": _("%(date)s %(kind)s by %(who)s") % {
                     "date": date_format(when, "Y-m-d"), "kind": last.get_kind_display(),
                     "who": last.owner.display_name or last.owner.username}}]
    planned = summary["next_planned_on"]
    task = summary["next_task"]
    if task is not None and (planned is None or task.due_on <= planned):
        state = rules.task_state(task.due_on, today)
        rows.append({"label": _("Next follow-up"), "state": {"overdue": "bad", "today": "warn"}.get(state, ""),
                     "value": _("%(date)s %(title)s (%(who)s)") % {
                         "date": date_format(task.due_on, "Y-m-d"), "title": task.title[:40],
                         "who": task.assignee.display_name or task.assignee.username}})
    elif planned is not None:
        rows.append({"label": _("Next contact planned"), "value": date_format(planned, "Y-m-d")})
    else:
        rows.append({"label": _("Next contact planned"), "value": _("none"), "state": "warn"})
    rows.append({"label": _("Contact interval"), "value": _("%(n)d days") % {"n": interval}})
    return {"url": reverse("customers:detail", args=[customer.pk]) + "#activities", "rows": rows}


def _activities(*, customer, before, limit) -> list[TimelineEntry]:
    rows = Activity.objects.filter(customer=customer, deleted=False).select_related("owner")
    if before is not None:
        rows = rows.filter(Q(occurred_at__lt=before[0]) | Q(occurred_at=before[0]))
    out = []
    for a in rows.order_by("-occurred_at", "-id")[:limit]:
        out.append(TimelineEntry(
            ts=a.occurred_at, key=f"v:{a.id:012d}", kind="activity",
            title=_("%(kind)s: %(summary)s") % {"kind": a.get_kind_display(), "summary": a.summary},
            detail=a.outcome[:300], actor=a.owner.display_name or a.owner.username))
    return out


def register() -> None:
    register_section(PageSection("activities", 10, ActivityPerm.VIEW, "activities/_customer_section.html",
                                 section_context))
    register_card(SummaryCard("contact", gettext_lazy("Contact"), 15, ActivityPerm.VIEW, _card))
    activity_codes = frozenset({ActivityEvent.ACTIVITY_LOGGED})
    task_codes = frozenset({ActivityEvent.TASK_ASSIGNED, ActivityEvent.TASK_DONE, ActivityEvent.TASK_CANCELLED,
                            ActivityEvent.TASK_REASSIGNED, ActivityEvent.ACTIVITY_UPDATED,
                            ActivityEvent.ACTIVITY_DELETED})
    register_timeline_kind(TimelineKind("activity", gettext_lazy("Activities"), 5, ActivityPerm.VIEW,
                                        activity_codes, _activities, shown_by_source=activity_codes))
    register_timeline_kind(TimelineKind("follow_up", gettext_lazy("Follow-ups"), 6, ActivityPerm.VIEW, task_codes))
