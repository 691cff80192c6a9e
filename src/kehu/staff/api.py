"""REST API of the staff assessment."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.core.errors import PermissionDenied
from kehu.core.periods import parse_period
from kehu.core.selectors import access_for
from kehu.staff import permissions as P

from . import selectors, services

router = Router(tags=["staff"])


class SelfIn(Schema):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(max_length=10)
    attitude: int
    process: int
    note: str = Field("", max_length=2000)


class MarkIn(SelfIn):
    user_id: int
    security_violations: int = 0
    training_done: bool = True


class InterviewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    notes: str = Field(max_length=5000)
    follow_up_on: date


def card_out(c) -> dict:
    return {"user_id": c.user_id, "username": c.user.username, "period": f"{c.period:%Y-%m}",
            "attitude": c.attitude, "process": c.process, "quality": c.quality, "infosec": c.infosec,
            "total": c.total, "complete": c.complete, "detail": c.detail}


@router.get("/staff/measures", response=dict)
def measures(request):
    if not access_for(request.auth).has(P.SELF):

        raise PermissionDenied()
    return services.measures(timezone.localdate())


@router.get("/staff/scorecards/me", response=dict)
def mine(request, period: str = Query(..., max_length=10)):
    return card_out(selectors.own_scorecard(user=request.auth, period=parse_period(period)))


@router.get("/staff/league", response=list[dict])
def league(request, period: str = Query(..., max_length=10)):
    return [card_out(c) for c in selectors.league(user=request.auth, period=parse_period(period))]


@router.post("/staff/self-assessments", response={201: dict})
def self_assess(request, payload: SelfIn):
    row = services.self_assess(actor=request.auth, **payload.dict())
    return Status(201, {"id": row.pk})


@router.post("/staff/marks", response={201: dict})
def mark(request, payload: MarkIn):
    row = services.manager_mark(actor=request.auth, **payload.dict())
    return Status(201, {"id": row.pk})


@router.post("/staff/interviews/{interview_id}", response=dict)
def interview(request, interview_id: int, payload: InterviewIn):
    row = services.interview_record(actor=request.auth, interview_id=interview_id, **payload.dict())
    return {"id": row.pk, "held_at": row.held_at.isoformat()}
