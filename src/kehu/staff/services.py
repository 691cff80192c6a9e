"""Writes of the staff assessment: the notice of what is measured (P-6), self-assessment first, the
manager's marks, the set-based monthly computation and the improvement interviews (P-3)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.inputs import day, text
from kehu.core.models import AuditEvent, User
from kehu.core.params import get_param
from kehu.core.periods import month_end, parse_period
from kehu.core.selectors import access_for
from kehu.helpdesk.events import HelpdeskEvent
from kehu.helpdesk.models import SlaBreach, Ticket
from kehu.surveys.models import Answer

from . import permissions as P
from . import rules
from .events import StaffEvent as E
from .models import Interview, ManagerMark, MeasurementNotice, Scorecard, SelfAssessment


def _mark(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(field=field, code="not_a_number") from None
    if not 0 <= number <= 100:
        raise InvalidInput(field=field, code="out_of_range")
    return number


def _window(period: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(period, time(0), tz), datetime.combine(month_end(period) + timedelta(days=1), time(0), tz)


def measures(on: date) -> dict:
    """What the scorecard measures, with the parameters in force on ``on`` (shown to staff, P-6)."""
    return {
        "weights": get_param("staff.weights", on=on), "quality_weights": get_param("staff.quality_weights", on=on),
        "infosec_violation_penalty": get_param("staff.infosec_violation_penalty", on=on),
        "infosec_no_training_penalty": get_param("staff.infosec_no_training_penalty", on=on),
        "improvement_threshold": get_param("staff.improvement_threshold", on=on),
        "commendation_threshold": get_param("staff.commendation_threshold", on=on),
        "csat_min_score": get_param("survey.csat_min_score", on=on),
    }


@transaction.atomic
def notice_publish(*, period, now: datetime | None = None) -> MeasurementNotice:
    """Publish what will be measured in ``period`` (before it starts; once)."""
    now = now or timezone.now()
    period = parse_period(period)
    if timezone.localdate(now) >= period:
        raise Conflict(code="period_started")
    notice, created = MeasurementNotice.objects.get_or_create(
        period=period, defaults={"content": measures(period), "published_at": now})
    if created:
        audit_record(actor=None, event_code=E.NOTICE_PUBLISHED, object_type="staff.notice", object_id=notice.pk,
                     new={"period": f"{period:%Y-%m}"})
    return notice


@transaction.atomic
def self_assess(*, actor, period, attitude, process, note: str = "", now: datetime | None = None) -> SelfAssessment:
    """The employee's own assessment of a month (once), before the manager's marks (S8 五)."""
    now = now or timezone.now()
    if not access_for(actor).has(P.SELF):
        raise PermissionDenied()
    period = parse_period(period)
    if period > timezone.localdate(now).replace(day=1):
        raise InvalidInput(field="period", code="in_the_future")
    if SelfAssessment.objects.filter(user=actor, period=period).exists():
        raise Conflict(code="already_assessed")
    row = SelfAssessment.objects.create(user=actor, period=period, attitude=_mark(attitude, "attitude"),
                                        process=_mark(process, "process"), note=text(note, "note", max_length=2000),
                                        submitted_at=now)
    audit_record(actor=actor, event_code=E.SELF_ASSESSED, object_type="staff.self_assessment", object_id=row.pk,
                 new={"period": f"{period:%Y-%m}", "attitude": row.attitude, "process": row.process})
    return row


def _employee_in_scope(actor, user_id: int, perm: str) -> User:
    employee = User.objects.filter(pk=user_id).select_related("org_unit").first()
    if employee is None or employee.org_unit is None or not access_for(actor).reaches(perm, org_path=employee.org_unit.path):
        raise NotFound()
    return employee


@transaction.atomic
def manager_mark(*, actor, user_id: int, period, attitude, process, security_violations=0, training_done=True,
                 note: str = "", now: datetime | None = None) -> ManagerMark:
    """The manager's marks for what kehu cannot see; only after the employee's self-assessment."""
    now = now or timezone.now()
    if not access_for(actor).has(P.MANAGE):
        raise PermissionDenied()
    employee = _employee_in_scope(actor, user_id, P.MANAGE)
    if employee.pk == actor.pk:
        raise SelfApprovalNotAllowed()
    period = parse_period(period)
    if not SelfAssessment.objects.filter(user=employee, period=period).exists():
        raise Conflict(code="self_assessment_first")
    values = {"attitude": _mark(attitude, "attitude"), "process": _mark(process, "process"),
              "security_violations": _mark(security_violations, "security_violations"),
              "training_done": bool(training_done), "note": text(note, "note", max_length=2000), "by": actor,
              "marked_at": now}
    row, _ = ManagerMark.objects.select_for_update().update_or_create(user=employee, period=period, defaults=values)
    audit_record(actor=actor, event_code=E.MANAGER_MARKED, object_type="staff.mark", object_id=row.pk,
                 new={"user": employee.pk, "period": f"{period:%Y-%m}", "attitude": row.attitude,
                      "process": row.process, "violations": row.security_violations,
                      "training_done": row.training_done})
    return row


def quality_facts(period: date) -> tuple[dict, dict]:
    """Per employee, set-based: tickets they closed in the month (how many, how many breached a time limit,
    how many resolved at first contact: never escalated nor reopened) and the survey answers about them."""

    lo, hi = _window(period)
    breached = Exists(SlaBreach.objects.filter(ticket=OuterRef("pk")))
    reopened = Exists(AuditEvent.objects.filter(object_type="helpdesk.ticket", event_code=HelpdeskEvent.TICKET_REOPENED,
                                                object_id=Cast(OuterRef("pk"), CharField())))
    tickets = Ticket.objects.filter(handler__isnull=False, closed_at__gte=lo, closed_at__lt=hi) \
        .annotate(was_breached=breached, was_reopened=reopened).values("handler_id").annotate(
        n=Count("pk"), breached=Count("pk", filter=Q(was_breached=True)),
        fcr=Count("pk", filter=Q(escalated_at__isnull=True, was_reopened=False))).order_by()
    satisfied_from = int(get_param("survey.csat_min_score", on=period))
    answers = Answer.objects.filter(answered_at__gte=lo, answered_at__lt=hi, invitation__staff_user__isnull=False) \
        .values("invitation__staff_user_id").annotate(
        n=Count("pk"), satisfied=Count("pk", filter=Q(overall__gte=satisfied_from))).order_by()
    return ({t["handler_id"]: t for t in tickets}, {a["invitation__staff_user_id"]: a for a in answers})


def scorecard_values(*, facts: dict | None, answers: dict | None, mark: ManagerMark | None,
                     own: SelfAssessment | None, params: dict) -> dict:
    """One employee's scorecard with its explanation per indicator (pure apart from the rows passed in)."""
    facts = facts or {"n": 0, "breached": 0, "fcr": 0}
    answers = answers or {"n": 0, "satisfied": 0}
    parts = {
        "sla": {"score": rules.share(facts["n"] - facts["breached"], facts["n"]), "met": facts["n"] - facts["breached"],
                "of": facts["n"]},
        "fcr": {"score": rules.share(facts["fcr"], facts["n"]), "first_contact": facts["fcr"], "of": facts["n"]},
        "csat": {"score": rules.share(answers["satisfied"], answers["n"]), "satisfied": answers["satisfied"],
                 "of": answers["n"]},
    }
    quality = rules.weighted({k: v["score"] for k, v in parts.items()}, params["quality_weights"])
    attitude = rules.q2(mark.attitude) if mark else None
    process = rules.q2(mark.process) if mark else None
    infosec = rules.infosec_score(violations=mark.security_violations, training_done=mark.training_done,
                                  violation_penalty=int(params["infosec_violation_penalty"]),
                                  no_training_penalty=int(params["infosec_no_training_penalty"])) if mark else None
    dims = {"attitude": attitude, "process": process, "quality": quality, "infosec": infosec}
    complete = mark is not None
    total = rules.weighted(dims, params["weights"]) if complete else None

    def s(v):
        return None if v is None else str(v)

    detail = {
        "attitude": {"score": s(attitude), "source": "manager", "self": own.attitude if own else None},
        "process": {"score": s(process), "source": "manager", "self": own.process if own else None},
        "quality": {"score": s(quality), "weights": params["quality_weights"],
                    "parts": {k: {**v, "score": s(v["score"])} for k, v in parts.items()}},
        "infosec": {"score": s(infosec), "violations": mark.security_violations if mark else None,
                    "training_done": mark.training_done if mark else None},
        "weights": params["weights"],
        "band": rules.band(total, improve_below=int(params["improvement_threshold"]),
                           commend_from=int(params["commendation_threshold"])),
    }
    return {"attitude": attitude, "process": process, "quality": quality, "infosec": infosec, "total": total,
            "complete": complete, "detail": detail}


def scorecards_compute(*, period, now: datetime | None = None, batch_size: int = 2000) -> dict:
    """Score every assessed employee (active users holding an assessed role) for ``period``: a few grouped
    queries, then the month's cards replaced in one transaction; an improvement interview is opened once
    for each complete card below the threshold. Running it again gives the same cards."""
    now = now or timezone.now()
    period = parse_period(period)
    if period > timezone.localdate(now).replace(day=1):
        raise InvalidInput(field="period", code="in_the_future")
    params = measures(period)
    employees = list(User.objects.filter(is_active=True, role_assignments__role__in=P.ASSESSED_ROLES)
                     .values_list("pk", "org_unit__path").distinct().order_by("pk"))
    tickets, answers = quality_facts(period)
    marks = {m.user_id: m for m in ManagerMark.objects.filter(period=period)}
    own = {a.user_id: a for a in SelfAssessment.objects.filter(period=period)}
    cards = []
    for pk, path in employees:
        values = scorecard_values(facts=tickets.get(pk), answers=answers.get(pk), mark=marks.get(pk), own=own.get(pk),
                                  params=params)
        cards.append(Scorecard(user_id=pk, period=period, org_path=path or "", computed_at=now, **values))
    due = timezone.localdate(now) + timedelta(days=int(get_param("staff.interview_due_days", on=period)))
    with transaction.atomic():
        Scorecard.objects.filter(period=period).delete()
        Scorecard.objects.bulk_create(cards, batch_size=batch_size)
        low = [c for c in cards if c.detail["band"] == "improve"]
        Interview.objects.bulk_create(
            [Interview(user_id=c.user_id, period=period, org_path=c.org_path, total=c.total, due_on=due) for c in low],
            batch_size=batch_size, ignore_conflicts=True)
        summary = {"period": f"{period:%Y-%m}", "scored": len(cards), "complete": sum(c.complete for c in cards),
                   "improvement": len(low), "commendation": sum(c.detail["band"] == "commend" for c in cards)}
        audit_record(actor=None, event_code=E.SCORECARDS_COMPUTED, object_type="staff.scorecard", new=summary)
    return summary


@transaction.atomic
def interview_record(*, actor, interview_id: int, notes: str, follow_up_on, now: datetime | None = None) -> Interview:
    now = now or timezone.now()
    if not access_for(actor).has(P.MANAGE):
        raise PermissionDenied()
    interview = Interview.objects.select_for_update().filter(pk=interview_id).first()
    if interview is None or not access_for(actor).reaches(P.MANAGE, org_path=interview.org_path):
        raise NotFound()
    if interview.user_id == actor.pk:
        raise SelfApprovalNotAllowed()
    interview.notes = text(notes, "notes", max_length=5000, required=True)
    interview.follow_up_on = day(follow_up_on, "follow_up_on", required=True)
    interview.held_by, interview.held_at = actor, now
    interview.save(update_fields=["notes", "follow_up_on", "held_by", "held_at"])
    audit_record(actor=actor, event_code=E.INTERVIEW_RECORDED, object_type="staff.interview", object_id=interview.pk,
                 new={"user": interview.user_id, "follow_up_on": interview.follow_up_on})
    return interview
