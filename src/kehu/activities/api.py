"""REST API of activities and follow-ups. Thin: parse, call one service, present."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.activities import selectors, services
from kehu.activities.models import Activity, FollowUpTask

router = Router(tags=["activities"])


class FollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=300)
    assignee_id: int = Field(ge=1, le=2**63 - 1)
    due_on: date


class ActivityIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=16)
    summary: str = Field(max_length=500)
    occurred_at: datetime | None = None
    outcome: str = Field("", max_length=4000)
    contact_id: int | None = Field(None, ge=1, le=2**63 - 1)
    next_contact_on: date | None = None
    document_id: int | None = Field(None, ge=1, le=2**63 - 1)
    follow_up: FollowUpIn | None = None


class ActivityPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = Field(None, ge=1, le=2**31)
    kind: str | None = Field(None, max_length=16)
    summary: str | None = Field(None, max_length=500)
    occurred_at: datetime | None = None
    outcome: str | None = Field(None, max_length=4000)
    contact_id: int | None = Field(None, ge=1, le=2**63 - 1)
    next_contact_on: date | None = None


class ActivityOut(Schema):
    id: int
    customer_id: int
    kind: str
    occurred_at: datetime
    owner: str
    contact_id: int | None
    summary: str
    outcome: str
    next_contact_on: date | None
    document_id: int | None
    version: int


class TaskAssignIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=300)
    assignee_id: int = Field(ge=1, le=2**63 - 1)
    due_on: date
    activity_id: int | None = Field(None, ge=1, le=2**63 - 1)


class FollowUpTaskOut(Schema):
    id: int
    customer_id: int
    activity_id: int | None
    title: str
    assignee: str
    created_by: str
    requested_due_on: date
    due_on: date
    status: str
    note: str


class TaskDoneIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=2000)


class TaskCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=2000)


class ActivityDeleteQuery(Schema):
    reason: str = Field(max_length=500)


class TaskListQuery(Schema):
    scope: str = Field("mine", pattern="^(mine|team)$")


class UncontactedOut(Schema):
    customer_id: int
    grade: str
    last_contact: datetime | None
    interval_days: int
    days_over: int


def _name(user) -> str:
    return user.display_name or user.username


def activity_out(a: Activity) -> dict:
    return {"id": a.pk, "customer_id": a.customer_id, "kind": a.kind, "occurred_at": a.occurred_at,
            "owner": _name(a.owner), "contact_id": a.contact_id, "summary": a.summary, "outcome": a.outcome,
            "next_contact_on": a.next_contact_on, "document_id": a.document_id, "version": a.version}


def task_out(t: FollowUpTask) -> dict:
    return {"id": t.pk, "customer_id": t.customer_id, "activity_id": t.activity_id, "title": t.title,
            "assignee": _name(t.assignee), "created_by": _name(t.created_by), "requested_due_on": t.requested_due_on,
            "due_on": t.due_on, "status": t.status, "note": t.note}


@router.get("/customers/{customer_id}/activities", response={200: list[ActivityOut], 404: dict},
            summary="The customer's activities, newest first")
def activity_list(request, customer_id: int):
    return [activity_out(a) for a in selectors.activities_of(user=request.auth, customer_id=customer_id, limit=200)]


@router.post("/customers/{customer_id}/activities", response={201: ActivityOut, 400: dict, 403: dict, 404: dict},
             summary="Record a call, visit, meeting, e-mail or note (optionally with a follow-up)")
def activity_create(request, customer_id: int, payload: ActivityIn):
    data = payload.model_dump()
    follow_up = data.pop("follow_up")
    activity = services.activity_log(actor=request.auth, customer_id=customer_id, follow_up=follow_up,
                                     channel="api", **data)
    return Status(201, activity_out(activity))


@router.get("/activities/tasks", response=list[FollowUpTaskOut],
            summary="My open follow-ups (scope=mine) or the team's overdue ones (scope=team)")
def task_list(request, q: Query[TaskListQuery]):
    tasks = (selectors.my_tasks(user=request.auth) if q.scope == "mine"
             else selectors.team_overdue(user=request.auth))
    return [task_out(t) for t in tasks]


@router.get("/activities/uncontacted", response=list[UncontactedOut],
            summary="Customers without contact for longer than their grade's interval")
def uncontacted(request):
    return [{"customer_id": u.customer.pk, "grade": u.customer.grade or "", "last_contact": u.last_contact,
             "interval_days": u.interval_days, "days_over": u.days_over}
            for u in selectors.customers_without_contact(user=request.auth)]


@router.get("/activities/{activity_id}", response={200: ActivityOut, 404: dict}, summary="One activity")
def activity_detail(request, activity_id: int):
    return activity_out(selectors.activity_get(user=request.auth, activity_id=activity_id))


@router.patch("/activities/{activity_id}", response={200: ActivityOut, 400: dict, 403: dict, 404: dict, 409: dict},
              summary="Correct an activity")
def activity_update(request, activity_id: int, payload: ActivityPatchIn):
    changes = payload.model_dump(exclude_unset=True)
    expected = changes.pop("expected_version", None)
    activity = services.activity_update(actor=request.auth, activity_id=activity_id, expected_version=expected,
                                        channel="api", **changes)
    return activity_out(activity)


@router.delete("/activities/{activity_id}", response={204: None, 400: dict, 403: dict, 404: dict},
               summary="Withdraw a wrongly recorded activity (kept, marked deleted, audited)")
def activity_delete(request, activity_id: int, q: Query[ActivityDeleteQuery]):
    services.activity_delete(actor=request.auth, activity_id=activity_id, reason=q.reason, channel="api")
    return Status(204, None)


@router.post("/customers/{customer_id}/tasks", response={201: FollowUpTaskOut, 400: dict, 403: dict, 404: dict},
             summary="Assign a follow-up to a colleague (a holiday due date moves to the next working day)")
def task_create(request, customer_id: int, payload: TaskAssignIn):
    task = services.task_assign(actor=request.auth, customer_id=customer_id, channel="api", **payload.model_dump())
    return Status(201, task_out(task))


@router.post("/activities/tasks/{task_id}/done", response={200: FollowUpTaskOut, 404: dict, 409: dict},
             summary="Mark a follow-up done")
def task_done(request, task_id: int, payload: TaskDoneIn):
    return task_out(services.task_complete(actor=request.auth, task_id=task_id, note=payload.note, channel="api"))


@router.post("/activities/tasks/{task_id}/cancel", response={200: FollowUpTaskOut, 400: dict, 404: dict, 409: dict},
             summary="Cancel a follow-up with a reason")
def task_cancel(request, task_id: int, payload: TaskCancelIn):
    return task_out(services.task_cancel(actor=request.auth, task_id=task_id, reason=payload.reason, channel="api"))
