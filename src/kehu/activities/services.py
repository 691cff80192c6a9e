"""Writes of activities and follow-up tasks: one transaction each, audited, within the actor's scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.activities import rules
from kehu.activities.errors import StaleActivity, TaskClosed
from kehu.activities.events import ActivityEvent
from kehu.activities.models import TASK_TRANSITIONS, Activity, ActivityKind, FollowUpTask, TaskStatus
from kehu.activities.permissions import ActivityPerm
from kehu.core.audit import audit_record
from kehu.core.calendar import is_working_day
from kehu.core.errors import InvalidInput, NotFound
from kehu.core.inputs import choice, day, text
from kehu.core.models import User
from kehu.core.selectors import access_for, calendar_for
from kehu.customers.models import Contact, Customer, Document
from kehu.customers.selectors import customer_get

# How far a recorded activity may lie in the past or the future: a typo in the year is refused.
_MAX_PAST_DAYS = 3660
_MAX_FUTURE_DAYS = 1


def _working_day_checker(org_path: str):
    # The one business calendar (kehu.core.calendar: chinese-calendar holidays and make-up working days,
    # with per-org overrides).
    cal = calendar_for(org_path)
    return lambda d: is_working_day(d, cal)


def _when(value: Any, now: datetime) -> datetime:
    if value in (None, ""):
        return now
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(_("%(field)s must be a date and time.") % {"field": "occurred_at"},
                               field="occurred_at") from None
    if not isinstance(value, datetime):
        raise InvalidInput(_("%(field)s must be a date and time.") % {"field": "occurred_at"}, field="occurred_at")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if (now - value).days > _MAX_PAST_DAYS or (value - now).days >= _MAX_FUTURE_DAYS:
        raise InvalidInput(_("The activity's time is out of range."), field="occurred_at")
    return value


def _future_day(value: Any, field: str, today: date, *, required: bool) -> date | None:
    parsed = day(value, field, required=required)
    if parsed is None:
        return None
    if parsed < today or (parsed - today).days > _MAX_PAST_DAYS:
        raise InvalidInput(_("%(field)s must be today or later.") % {"field": field}, field=field)
    return parsed


def _contact(customer: Customer, contact_id: Any) -> Contact | None:
    if contact_id in (None, ""):
        return None
    try:
        contact_id = int(contact_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose one of the customer's contacts."), field="contact_id") from None
    contact = Contact.objects.filter(pk=contact_id, customer=customer).first()
    if contact is None:
        raise InvalidInput(_("Choose one of the customer's contacts."), field="contact_id")
    return contact


def _document(customer: Customer, document_id: Any) -> Document | None:
    if document_id in (None, ""):
        return None
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("The attachment must be one of the customer's documents."), field="document_id") from None
    document = Document.objects.filter(pk=document_id, customer=customer).first()
    if document is None:
        raise InvalidInput(_("The attachment must be one of the customer's documents."), field="document_id")
    return document


def _assignee(actor: User | None, customer: Customer, assignee_id: Any) -> User:
    try:
        assignee = User.objects.filter(pk=int(assignee_id), is_active=True).first()
    except (TypeError, ValueError):
        assignee = None
    # The colleague must be able to see the customer; otherwise the reminder would point at a 404.
    if assignee is None or not access_for(assignee).reaches(ActivityPerm.VIEW, org_path=customer.org_path,
                                                            owner_id=customer.manager_id):
        raise InvalidInput(_("Assign the follow-up to a colleague who serves this customer."), field="assignee_id")
    return assignee


def _activity_values(a: Activity) -> dict[str, Any]:
    return {"kind": a.kind, "occurred_at": a.occurred_at, "summary": a.summary, "outcome": a.outcome,
            "contact_id": a.contact_id, "next_contact_on": a.next_contact_on, "document_id": a.document_id}


@transaction.atomic
def activity_log(
    *, actor: User | None, customer_id: int, kind: str, summary: str, occurred_at: Any = None, outcome: str = "",
    contact_id: Any = None, next_contact_on: Any = None, document_id: Any = None, follow_up: dict | None = None,
    channel: str = "web",
) -> Activity:
    """Record a call, visit, meeting, e-mail or note; optionally plan the next contact and assign a follow-up."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=ActivityPerm.LOG)
    now = timezone.now()
    today = timezone.localdate()
    activity = Activity(
        customer=customer, org_path=customer.org_path, kind=choice(kind, "kind", list(ActivityKind.values)),
        occurred_at=_when(occurred_at, now), owner=actor or customer.manager,
        contact=_contact(customer, contact_id), summary=text(summary, "summary", max_length=500, required=True),
        outcome=text(outcome, "outcome", max_length=4000),
        next_contact_on=_future_day(next_contact_on, "next_contact_on", today, required=False),
        document=_document(customer, document_id),
    )
    if activity.owner is None:
        raise InvalidInput(_("A system activity needs a customer with a manager."), field="owner")
    activity.full_clean()
    activity.save(force_insert=True)
    audit_record(actor=actor, event_code=ActivityEvent.ACTIVITY_LOGGED, object_type="activity",
                 object_id=activity.pk, customer_id=customer.pk,
                 new={"kind": activity.kind, "occurred_at": activity.occurred_at, "summary": activity.summary,
                      "next_contact_on": activity.next_contact_on},
                 channel=channel)
    if follow_up:
        task_assign(actor=actor, customer_id=customer.pk, activity_id=activity.pk, channel=channel, **follow_up)
    return activity


def _activity_for_write(actor: User | None, activity_id: Any) -> Activity:
    try:
        activity_id = int(activity_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    activity = Activity.objects.select_for_update().filter(pk=activity_id, deleted=False).first()
    if activity is None:
        raise NotFound()
    customer_get(user=actor, customer_id=activity.customer_id, perm=ActivityPerm.LOG)
    return activity


@transaction.atomic
def activity_update(*, actor: User | None, activity_id: Any, expected_version: int | None = None,
                    channel: str = "web", **changes: Any) -> Activity:
    """Correct an activity (summary, outcome, kind, time, contact, next contact); the old values are audited."""
    activity = _activity_for_write(actor, activity_id)
    if expected_version is not None and expected_version != activity.version:
        raise StaleActivity()
    allowed = {"kind", "summary", "outcome", "occurred_at", "contact_id", "next_contact_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = _activity_values(activity)
    customer = activity.customer
    if "kind" in changes:
        activity.kind = choice(changes["kind"], "kind", list(ActivityKind.values))
    if "summary" in changes:
        activity.summary = text(changes["summary"], "summary", max_length=500, required=True)
    if "outcome" in changes:
        activity.outcome = text(changes["outcome"], "outcome", max_length=4000)
    if "occurred_at" in changes:
        activity.occurred_at = _when(changes["occurred_at"], timezone.now())
    if "contact_id" in changes:
        activity.contact = _contact(customer, changes["contact_id"])
    if "next_contact_on" in changes:
        activity.next_contact_on = _future_day(changes["next_contact_on"], "next_contact_on", timezone.localdate(),
                                               required=False)
    after = _activity_values(activity)
    old = {k: v for k, v in before.items() if after[k] != v}
    if not old:
        return activity
    activity.version += 1
    activity.save(update_fields=[*old, "version"])
    audit_record(actor=actor, event_code=ActivityEvent.ACTIVITY_UPDATED, object_type="activity",
                 object_id=activity.pk, customer_id=activity.customer_id, old=old,
                 new={k: after[k] for k in old}, channel=channel)
    return activity


@transaction.atomic
def activity_delete(*, actor: User | None, activity_id: Any, reason: str, channel: str = "web") -> None:
    """Withdraw a wrongly recorded activity. It stays in the database (and the audit log) marked deleted."""
    activity = _activity_for_write(actor, activity_id)
    reason = text(reason, "reason", max_length=500, required=True)
    activity.deleted = True
    activity.version += 1
    activity.save(update_fields=["deleted", "version"])
    audit_record(actor=actor, event_code=ActivityEvent.ACTIVITY_DELETED, object_type="activity",
                 object_id=activity.pk, customer_id=activity.customer_id, reason=reason, channel=channel)


@transaction.atomic
def task_assign(*, actor: User | None, customer_id: int, title: str, assignee_id: Any, due_on: Any,
                activity_id: int | None = None, channel: str = "web") -> FollowUpTask:
    """Assign a follow-up to a colleague; a due date on a holiday or weekend moves to the next working day."""
    customer = customer_get(user=actor, customer_id=customer_id, perm=ActivityPerm.LOG)
    requested = _future_day(due_on, "due_on", timezone.localdate(), required=True)
    assignee = _assignee(actor, customer, assignee_id)
    creator = actor or customer.manager
    if creator is None:
        raise InvalidInput(_("A system follow-up needs a customer with a manager."), field="created_by")
    task = FollowUpTask(
        customer=customer, org_path=customer.org_path, activity_id=activity_id,
        title=text(title, "title", max_length=300, required=True), assignee=assignee, created_by=creator,
        requested_due_on=requested,
        due_on=rules.due_on_working_day(requested, _working_day_checker(customer.org_path)),
    )
    task.full_clean()
    task.save(force_insert=True)
    audit_record(actor=actor, event_code=ActivityEvent.TASK_ASSIGNED, object_type="follow_up", object_id=task.pk,
                 customer_id=customer.pk,
                 new={"title": task.title, "assignee": assignee.username, "due_on": task.due_on,
                      "requested_due_on": requested}, channel=channel)
    return task


def _task_for_write(actor: User | None, task_id: Any) -> FollowUpTask:
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    task = FollowUpTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    if actor is not None and task.assignee_id != actor.pk:
        # Anyone who may log activities for the customer may close a colleague's follow-up (a manager
        # tidying up after a departure); outside the scope it does not exist.
        customer_get(user=actor, customer_id=task.customer_id, perm=ActivityPerm.LOG)
    return task


def _close(task: FollowUpTask, to: str) -> None:
    if to not in TASK_TRANSITIONS[TaskStatus(task.status)]:
        raise TaskClosed()


@transaction.atomic
def task_complete(*, actor: User | None, task_id: Any, note: str = "", channel: str = "web") -> FollowUpTask:
    """Mark a follow-up done."""
    task = _task_for_write(actor, task_id)
    _close(task, TaskStatus.DONE)
    task.status = TaskStatus.DONE
    task.done_at = timezone.now()
    task.done_by = actor
    task.note = text(note, "note", max_length=2000)
    task.save(update_fields=["status", "done_at", "done_by", "note"])
    audit_record(actor=actor, event_code=ActivityEvent.TASK_DONE, object_type="follow_up", object_id=task.pk,
                 customer_id=task.customer_id, old={"status": TaskStatus.OPEN}, new={"status": task.status},
                 reason=task.note, channel=channel)
    return task


@transaction.atomic
def task_cancel(*, actor: User | None, task_id: Any, reason: str, channel: str = "web") -> FollowUpTask:
    """Cancel a follow-up that is no longer needed, with the reason."""
    task = _task_for_write(actor, task_id)
    _close(task, TaskStatus.CANCELLED)
    task.status = TaskStatus.CANCELLED
    task.note = text(reason, "reason", max_length=2000, required=True)
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["status", "done_at", "done_by", "note"])
    audit_record(actor=actor, event_code=ActivityEvent.TASK_CANCELLED, object_type="follow_up", object_id=task.pk,
                 customer_id=task.customer_id, old={"status": TaskStatus.OPEN}, new={"status": task.status},
                 reason=task.note, channel=channel)
    return task
