"""REST API of the surveys: results within the caller's scope, templates, and the public answer (no login:
the single-use link is the permission)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from kehu.core.periods import parse_period

from . import reports, services
from .models import SurveyTemplate

router = Router(tags=["surveys"])


class QuestionIO(Schema):
    key: str = Field(max_length=40)
    type: str = Field(max_length=8)
    text: str = Field(max_length=300)


class TemplateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=40)
    title: str = Field(max_length=200)
    intro: str = Field("", max_length=2000)
    questions: list[QuestionIO] = Field(max_length=50)


class TemplateOut(Schema):
    id: int
    code: str
    version: int
    title: str
    intro: str
    questions: list[QuestionIO]
    created_at: datetime


class AnswerOut(Schema):
    id: int
    invitation_id: int
    trigger: str
    team: str
    customer_grade: str
    answered_at: datetime
    answers: dict
    overall: int
    lowest: int
    follow_up_id: int | None


class PublicSurveyOut(Schema):
    title: str
    intro: str
    questions: list[QuestionIO]


class PublicAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, int | str]


def _period(value: str | None, fallback: date) -> date:
    return parse_period(value) if value else fallback


def _template_out(t: SurveyTemplate) -> dict:
    return {"id": t.pk, "code": t.code, "version": t.version, "title": t.title, "intro": t.intro,
            "questions": t.questions, "created_at": t.created_at}


def _answer_out(a) -> dict:
    inv = a.invitation
    return {"id": a.pk, "invitation_id": inv.pk, "trigger": inv.trigger, "team": inv.team,
            "customer_grade": inv.customer_grade, "answered_at": a.answered_at, "answers": a.answers,
            "overall": a.overall, "lowest": a.lowest, "follow_up_id": a.follow_up_id}


@router.get("/surveys/report", response=dict)
def report(request, start: str = Query(..., max_length=10), end: str = Query(..., max_length=10),
           channel: str | None = Query(None, max_length=16), team: str | None = Query(None, max_length=120),
           grade: str | None = Query(None, max_length=1)):
    filters = {k: v for k, v in {"channel": channel, "team": team, "grade": grade}.items() if v is not None}
    first = parse_period(start)
    return reports.csat_report(user=request.auth, start=first, end=_period(end, first), filters=filters)


@router.get("/surveys/answers", response=list[AnswerOut])
def answers(request, start: str = Query(..., max_length=10), end: str = Query(..., max_length=10),
            dim: str | None = Query(None, max_length=16), value: str | None = Query(None, max_length=120)):
    first = parse_period(start)
    return [_answer_out(a) for a in reports.answers_for(user=request.auth, start=first, end=_period(end, first),
                                                        dim=dim, value=value)]


@router.get("/surveys/templates", response=list[TemplateOut])
def templates(request):
    reports.invitations_visible_to(request.auth)  # the permission check: surveys.view
    return [_template_out(t) for t in SurveyTemplate.objects.order_by("code", "-version")]


@router.post("/surveys/templates", response={201: TemplateOut})
def publish(request, payload: TemplateIn):
    data = payload.dict()
    return Status(201, _template_out(services.template_publish(actor=request.auth, **data)))


@router.get("/public/surveys/{token}", response=PublicSurveyOut, auth=None)
def public_survey(request, token: str):
    template = services.invitation_for_token(token=token[:500]).template
    return {"title": template.title, "intro": template.intro, "questions": template.questions}


@router.post("/public/surveys/{token}", response={201: dict}, auth=None)
def public_answer(request, token: str, payload: PublicAnswerIn):
    answer = services.survey_answer(token=token[:500], raw=payload.answers)
    return Status(201, {"recorded": True, "at": answer.answered_at.isoformat()})
