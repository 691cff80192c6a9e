"""Reads of activities and follow-ups, within the reader's data scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from kehu.activities import rules
from kehu.activities.models import Activity, FollowUpTask, TaskStatus
from kehu.activities.permissions import ActivityPerm
from kehu.core.errors import NotFound
from kehu.core.models import RoleAssignment, User
from kehu.core.params import get_param
from kehu.core.permissions import ROLE_PERMISSIONS
from kehu.core.selectors import access_for
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get, customers_visible_to

LIVE = ("qualified", "active")  # customers one is expected to keep in touch with


def activities_of(*, user: User | None, customer_id: int, limit: int = 50) -> list[Activity]:
    customer = customer_get(user=user, customer_id=customer_id, perm=ActivityPerm.VIEW)
    return list(Activity.objects.filter(customer=customer, deleted=False).select_related("owner", "contact")
                .order_by("-occurred_at", "-id")[:limit])


def activity_get(*, user: User | None, activity_id: int) -> Activity:
    activity = Activity.objects.select_related("owner", "contact").filter(pk=activity_id, deleted=False).first()
    if activity is None:
        raise NotFound()
    customer_get(user=user, customer_id=activity.customer_id, perm=ActivityPerm.VIEW)
    return activity


def contact_summary(customer_id: int) -> dict:
    """The last recorded contact and the next planned one (an activity's plan or an open follow-up)."""
    last = (Activity.objects.filter(customer_id=customer_id, deleted=False).select_related("owner")
            .order_by("-occurred_at", "-id").first())
    today = timezone.localdate()
    planned = (Activity.objects.filter(customer_id=customer_id, deleted=False, next_contact_on__gte=today)
               .aggregate(d=Max("next_contact_on"))["d"])
    task = (FollowUpTask.objects.filter(customer_id=customer_id, status=TaskStatus.OPEN)
            .select_related("assignee").order_by("due_on", "id").first())
    return {"last": last, "next_planned_on": planned, "next_task": task}


def open_tasks_of(customer_id: int, limit: int = 10) -> list[FollowUpTask]:
    """The customer's open follow-ups, due first (the activity block of the customer page)."""
    return list(FollowUpTask.objects.filter(customer_id=customer_id, status=TaskStatus.OPEN)
                .select_related("assignee").order_by("due_on", "id")[:limit])


def my_tasks(*, user: User, today: date | None = None) -> list[FollowUpTask]:
    """The user's open follow-ups, oldest due first, each marked overdue / today / upcoming."""
    today = today or timezone.localdate()
    tasks = list(FollowUpTask.objects.filter(assignee=user, status=TaskStatus.OPEN)
                 .select_related("customer", "created_by").order_by("due_on", "id")[:500])
    for task in tasks:
        task.state = rules.task_state(task.due_on, today)
    return tasks


def reminders(*, user: User, today: date | None = None) -> list[FollowUpTask]:
    """What the inbox and the dashboard show: open follow-ups due today or overdue."""
    today = today or timezone.localdate()
    return [t for t in my_tasks(user=user, today=today) if t.due_on <= today]


def team_overdue(*, user: User, today: date | None = None) -> list[FollowUpTask]:
    """Open follow-ups past their due date anywhere in the manager's scope."""
    today = today or timezone.localdate()
    access = access_for(user)
    if not access.has(ActivityPerm.TEAM):
        return []
    scope = access.scope_q(ActivityPerm.TEAM, org_path_field="org_path")
    return list(FollowUpTask.objects.filter(scope, status=TaskStatus.OPEN, due_on__lt=today)
                .select_related("customer", "assignee").order_by("due_on", "id")[:500])


@dataclass
class Uncontacted:
    customer: Customer
    last_contact: datetime | None
    interval_days: int
    days_over: int


def customers_without_contact(*, user: User, today: date | None = None, limit: int = 200) -> list[Uncontacted]:
    """Live customers in scope whose last contact is older than their grade's interval, longest first.

    A manager with the team permission sees the whole scope; a customer manager their own customers."""
    today = today or timezone.localdate()
    access = access_for(user)
    if access.has(ActivityPerm.TEAM):
        customers = Customer.objects.filter(access.scope_q(ActivityPerm.TEAM, org_path_field="org_path"))
    elif access.has(ActivityPerm.LOG):
        customers = customers_visible_to(user, ActivityPerm.LOG).filter(manager=user)
    else:
        return []
    intervals = get_param("activities.contact_interval_days")
    ungraded = get_param("activities.contact_interval_ungraded_days")
    shortest = min([int(v) for v in intervals.values()] + [int(ungraded)])
    # Only customers untouched for at least the shortest interval can be overdue: the database drops the
    # rest before Python looks at a single row.
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=shortest), time.min))
    rows: QuerySet = (
        customers.filter(admission_status__in=LIVE)
        .annotate(last_contact=Max("activities__occurred_at", filter=Q(activities__deleted=False)))
        .filter(Q(last_contact__lt=cutoff) | Q(last_contact__isnull=True, created_at__lt=cutoff))
        .only("id", "name", "name_encrypted", "kind", "grade", "created_at", "manager_id", "org_path")
    )
    found = []
    for c in rows.iterator(chunk_size=2000):
        interval = rules.contact_interval(c.grade, intervals, ungraded)
        since = timezone.localtime(c.created_at).date()
        last = timezone.localtime(c.last_contact).date() if c.last_contact else None
        over = rules.contact_overdue(last, since, today, interval)
        if over > 0:
            found.append(Uncontacted(customer=c, last_contact=c.last_contact, interval_days=interval, days_over=over))
    found.sort(key=lambda u: -u.days_over)
    return found[:limit]


def colleagues_for(customer: Customer) -> list[User]:
    """Active users who may see this customer's follow-ups: the candidates to assign one to."""

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if ActivityPerm.VIEW in perms]
    prefixes = [customer.org_path[:i + 1] for i, ch in enumerate(customer.org_path) if ch == "/"]
    rows = (RoleAssignment.objects.filter(role__in=roles, org_unit__path__in=prefixes, org_unit__is_active=True,
                                          user__is_active=True)
            .select_related("user").order_by("user__username"))
    seen: dict[int, User] = {}
    for r in rows:
        if r.own_customers_only and customer.manager_id != r.user_id:
            continue
        seen.setdefault(r.user_id, r.user)
    return list(seen.values())


def last_contacts(customer_ids: list[int]) -> dict[int, str]:
    """The date of each customer's latest activity (the customer export's 最近联系 column)."""
    rows = (Activity.objects.filter(customer_id__in=customer_ids, deleted=False).values("customer_id")
            .annotate(last=Max("occurred_at")))
    return {r["customer_id"]: f"{timezone.localtime(r['last']):%Y-%m-%d}" for r in rows}


def next_contacts(customer_ids: list[int], today: date | None = None) -> dict[int, str]:
    """The next planned contact of each customer: the earliest open follow-up or planned contact from today."""

    today = today or timezone.localdate()
    found: dict[int, date] = {}
    for r in (FollowUpTask.objects.filter(customer_id__in=customer_ids, status=TaskStatus.OPEN)
              .values("customer_id").annotate(d=Min("due_on"))):
        found[r["customer_id"]] = r["d"]
    for r in (Activity.objects.filter(customer_id__in=customer_ids, deleted=False, next_contact_on__gte=today)
              .values("customer_id").annotate(d=Min("next_contact_on"))):
        current = found.get(r["customer_id"])
        found[r["customer_id"]] = min(current, r["d"]) if current else r["d"]
    return {k: f"{v:%Y-%m-%d}" for k, v in found.items()}
