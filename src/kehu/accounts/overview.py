"""What personal accounts add to the customer page (kehu.customers.overview): a card with the person's
accounts by tier, the Class III two-way total toward the ¥50,000 threshold (银发〔2018〕16号 一(五)) and the
remediation task, and the accounts' audit events and remediation tasks on the timeline."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts import rules, selectors
from kehu.accounts.events import AccountsEvent
from kehu.accounts.models import PersonalAccount, RemediationTask, TaskStatus
from kehu.accounts.permissions import AccountsPerm
from kehu.customers.overview import (
    SummaryCard,
    TimelineEntry,
    TimelineKind,
    register_card,
    register_timeline_kind,
)


def _money(fen: int) -> str:
    return f"¥{rules.fen_to_amount(fen):,.2f}"


def _card(*, customer, user, access, today) -> dict | None:
    tiers = dict(PersonalAccount.objects.filter(customer=customer).values_list("tier")
                 .annotate(n=Count("id")).values_list("tier", "n"))
    task = RemediationTask.objects.filter(customer=customer).only("id", "due_date", "status", "done_at").first()
    if not tiers and task is None:
        return None  # no personal accounts: an enterprise, or a person who banks elsewhere
    rows = [{"label": _("Accounts by tier"),
             "value": _("Class I %(one)d, Class II %(two)d, Class III %(three)d") % {
                 "one": tiers.get("I", 0), "two": tiers.get("II", 0), "three": tiers.get("III", 0)}}]
    if tiers.get("III") or task is not None:
        total, threshold = selectors.class3_total(customer.pk), selectors.trigger_threshold(today)
        rows.append({"label": _("Class III total"), "state": "warn" if total >= threshold else "",
                     "value": _("%(total)s of %(threshold)s") % {"total": _money(total),
                                                                "threshold": _money(threshold)}})
    if task is not None:
        url = reverse("accounts:task", args=[task.pk])
        if task.status == TaskStatus.DONE:
            rows.append({"label": _("ID remediation"), "value": _("done"), "state": "ok", "url": url})
        else:
            overdue = rules.is_overdue(due=task.due_date, today=today)
            rows.append({"label": _("ID remediation"), "state": "bad" if overdue else "warn", "url": url,
                         "value": (_("overdue since %(date)s") if overdue else _("open, due %(date)s"))
                         % {"date": date_format(task.due_date, "Y-m-d")}})
    first = PersonalAccount.objects.filter(customer=customer).order_by("tier", "account_no").first()
    return {"url": reverse("accounts:detail", args=[first.account_no]) if first else "", "rows": rows}


def _tasks(*, customer, before, limit) -> list[TimelineEntry]:
    """Remediation tasks from the table: the ingest creates them in bulk without an audit row each."""
    rows = RemediationTask.objects.filter(customer=customer)
    if before is not None:
        rows = rows.filter(created_at__lte=before[0])
    out = []
    for task in rows.order_by("-created_at", "-id")[:limit]:
        out.append(TimelineEntry(
            ts=task.created_at, key=f"r:{task.id:012d}", kind="accounts",
            title=_("Class III total reached %(total)s: valid ID needed") % {"total": _money(task.total_fen)},
            detail=_("Triggered on %(day)s, due %(due)s") % {"day": date_format(task.trigger_date, "Y-m-d"),
                                                           "due": date_format(task.due_date, "Y-m-d")},
            url=reverse("accounts:task", args=[task.pk])))
    return out


def register() -> None:
    register_card(SummaryCard("accounts", gettext_lazy("Personal accounts"), 40, AccountsPerm.VIEW, _card))
    codes = frozenset({AccountsEvent.ACCOUNT_OPENED, AccountsEvent.TRANSACTION_POSTED,
                       AccountsEvent.REMEDIATION_CREATED, AccountsEvent.REMEDIATION_DONE})
    register_timeline_kind(TimelineKind("accounts", gettext_lazy("Personal accounts"), 40, AccountsPerm.VIEW,
                                        codes, _tasks,
                                        shown_by_source=frozenset({AccountsEvent.REMEDIATION_CREATED})))
