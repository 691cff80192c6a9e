"""Writes of the surveys: publishing templates, sending invitations (the ``surveys.dispatch`` job) and
recording a customer's answer from the public page."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput, NotFound, PermissionDenied
from kehu.core.inputs import text
from kehu.core.models import OrgUnit
from kehu.core.params import get_param
from kehu.core.selectors import access_for
from kehu.customers.models import Customer
from kehu.helpdesk.models import Ticket
from kehu.helpdesk.services import ticket_open
from kehu.outbox.services import link_issue, link_peek, link_redeem, message_enqueue, public_url
from kehu.reception.models import Visit
from kehu.reception.services import visit_close_answered, visit_mark_surveyed

from . import permissions as P
from . import rules
from .errors import AnswerIncomplete
from .events import SurveyEvent as E
from .models import Answer, Invitation, SurveyTemplate, Trigger

LINK_PURPOSE = "survey"


@transaction.atomic
def template_publish(*, actor, code: str, title: str, questions: list, intro: str = "",
                     now: datetime | None = None) -> SurveyTemplate:
    """A new version of the template ``code``; earlier versions stay for the invitations sent with them."""
    now = now or timezone.now()
    if actor is not None and not access_for(actor).has(P.MANAGE):
        raise PermissionDenied()
    code = text(code, "code", max_length=40, required=True)
    if not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise InvalidInput(field="code", code="bad_code")
    problems = rules.template_problems(questions)
    if problems:
        raise InvalidInput(field="questions", code="bad_questions", problems=problems)
    clean = [{"key": str(q["key"])[:40], "text": str(q["text"])[:300], "type": q["type"]} for q in questions]
    last = SurveyTemplate.objects.select_for_update().filter(code=code).aggregate(v=Max("version"))["v"] or 0
    template = SurveyTemplate.objects.create(code=code, version=last + 1, title=text(title, "title", max_length=200,
                                                                                    required=True),
                                             intro=text(intro, "intro", max_length=2000), questions=clean,
                                             created_at=now, created_by=actor)
    audit_record(actor=actor, event_code=E.TEMPLATE_PUBLISHED, object_type="surveys.template", object_id=template.pk,
                 new={"code": code, "version": template.version, "questions": len(clean)})
    return template


def template_current(code: str) -> SurveyTemplate | None:
    return SurveyTemplate.objects.filter(code=code).order_by("-version").first()


# ------------------------------------------------------------------------------------------ dispatch

def _contact_of_customer(customer) -> tuple[str, str] | None:
    """Where to send a customer's survey: the primary contact's e-mail or mobile, else the customer's own."""
    for contact in customer.contacts.all():
        if contact.email:
            return "email", contact.email
        if contact.phone:
            return "sms", contact.phone
    if customer.email:
        return "email", customer.email
    if customer.phone:
        return "sms", customer.phone
    return None


def _team_of(org_path: str) -> str:
    unit = OrgUnit.objects.filter(path=org_path).first()
    return unit.name if unit else org_path


def _invite(*, source_key: str, trigger: str, org_path: str, contact: tuple[str, str], now: datetime,
            visit=None, ticket=None, customer=None, team: str = "", staff_user_id: int | None = None) -> Invitation | None:
    """One invitation in one transaction: the link, the invitation and the queued message commit together."""
    code = (get_param("survey.template_by_trigger", on=now.date()) or {}).get(trigger, trigger)
    template = template_current(code)
    if template is None:
        return None
    expires = now + timedelta(days=int(get_param("survey.link_valid_days", on=now.date())))
    try:
        with transaction.atomic():
            if Invitation.objects.filter(source_key=source_key).exists():
                return None
            link, token = link_issue(purpose=LINK_PURPOSE, target_type="surveys.invitation", target_id=source_key,
                                     expires_at=expires, now=now)
            invitation = Invitation.objects.create(
                source_key=source_key, template=template, trigger=trigger, visit=visit, ticket=ticket,
                customer=customer, org_path=org_path, team=team[:120],
                customer_grade=(customer.grade or "") if customer else "", staff_user_id=staff_user_id, link=link,
                sent_at=now, expires_at=expires)
            url = public_url(reverse("survey_answer", args=[token]))
            with translation.override("zh-hans"):
                subject = _("Your opinion of our service")
                body = _("Dear customer, thank you for your trust. Please tell us how satisfied you were: %(url)s "
                         "(valid until %(until)s, one answer only).") % {
                    "url": url, "until": timezone.localtime(expires).strftime("%Y-%m-%d")}
            channel, to = contact
            invitation.message = message_enqueue(channel=channel, to=to, subject=str(subject), body=str(body),
                                                 purpose="survey", related_type="surveys.invitation",
                                                 related_id=invitation.pk, now=now)
            invitation.save(update_fields=["message"])
            if visit is not None:

                visit_mark_surveyed(visit_id=visit.pk, now=now)
            audit_record(actor=None, event_code=E.INVITATION_SENT, object_type="surveys.invitation",
                         object_id=invitation.pk, customer_id=customer.pk if customer else None,
                         new={"source": source_key, "template": f"{template.code} v{template.version}",
                              "channel": channel})
            return invitation
    except (IntegrityError, InvalidInput):  # sent by a concurrent run, or an address the outbox refuses
        return None


def surveys_dispatch(*, now: datetime | None = None) -> dict:
    """Send the surveys that are due (Appendix B ``surveys.dispatch``): visits checked out
    ``survey.post_visit_hours`` ago, complaints and online conversations closed ``survey.post_closure_days``
    ago, and the quarterly relationship survey of customers graded ``survey.relationship_grades``. Each source
    is surveyed once (a unique key); a run that stops half-way is simply run again."""

    now = now or timezone.now()
    on = timezone.localdate(now)
    lookback = now - timedelta(days=int(get_param("survey.trigger_lookback_days", on=on)))
    counts = {"visit": 0, "ticket": 0, "relationship": 0, "no_contact": 0}
    sent_keys = Invitation.objects.values_list("source_key", flat=True)

    visit_due = now - timedelta(hours=int(get_param("survey.post_visit_hours", on=on)))
    visits = Visit.objects.filter(state="checked_out", checked_out_at__lte=visit_due, checked_out_at__gte=lookback,
                                  purged_at__isnull=True).order_by("pk")
    for visit in visits.select_related("customer"):
        key = f"visit:{visit.pk}"
        if sent_keys.filter(source_key=key).exists():
            continue
        contact = ("email", visit.visitor_email) if visit.visitor_email else \
            ("sms", visit.visitor_phone) if visit.visitor_phone else None
        if contact is None and visit.customer is not None:
            contact = _contact_of_customer(visit.customer)
        if contact is None:
            counts["no_contact"] += 1
            continue
        if _invite(source_key=key, trigger=Trigger.VISIT, org_path=visit.org_path, contact=contact, now=now,
                   visit=visit, customer=visit.customer, team=_team_of(visit.org_path), staff_user_id=visit.host_id):
            counts["visit"] += 1

    closed_due = now - timedelta(days=int(get_param("survey.post_closure_days", on=on)))
    kinds = [str(k) for k in get_param("survey.ticket_kinds", on=on)]
    tickets = Ticket.objects.filter(kind__in=kinds, state="closed", closed_at__lte=closed_due,
                                    closed_at__gte=lookback).order_by("pk")
    for ticket in tickets.select_related("customer"):
        key = f"ticket:{ticket.pk}"
        if sent_keys.filter(source_key=key).exists():
            continue
        contact = _contact_of_customer(ticket.customer)
        if contact is None:
            counts["no_contact"] += 1
            continue
        trigger = Trigger.ONLINE if ticket.kind == "online" else Trigger.COMPLAINT
        if _invite(source_key=key, trigger=trigger, org_path=ticket.org_path, contact=contact, now=now, ticket=ticket,
                   customer=ticket.customer, team=ticket.team or _team_of(ticket.org_path),
                   staff_user_id=ticket.handler_id):
            counts["ticket"] += 1

    quarter = rules.quarter_of(on)
    grades = [str(g) for g in get_param("survey.relationship_grades", on=on)]
    for customer in Customer.objects.filter(grade__in=grades).order_by("pk"):
        key = f"relationship:{customer.pk}:{quarter}"
        if sent_keys.filter(source_key=key).exists():
            continue
        contact = _contact_of_customer(customer)
        if contact is None:
            counts["no_contact"] += 1
            continue
        if _invite(source_key=key, trigger=Trigger.RELATIONSHIP, org_path=customer.org_path, contact=contact, now=now,
                   customer=customer, team=_team_of(customer.org_path), staff_user_id=customer.manager_id):
            counts["relationship"] += 1
    return counts


# -------------------------------------------------------------------------------------------- answer

def invitation_for_token(*, token: str, now: datetime | None = None) -> Invitation:
    """The invitation behind a link that may still be used (for showing the public page)."""

    link = link_peek(token=token, purpose=LINK_PURPOSE, now=now)
    invitation = Invitation.objects.select_related("template").filter(link=link).first()
    if invitation is None:
        raise NotFound()
    return invitation


@transaction.atomic
def survey_answer(*, token: str, raw: dict, now: datetime | None = None) -> Answer:
    """Record the customer's answer (once: the link is used in the same transaction). A score at or below
    ``survey.low_score_max`` opens a dissatisfaction follow-up case in the helpdesk for a customer."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    link = link_redeem(token=token, purpose=LINK_PURPOSE, now=now)
    invitation = Invitation.objects.select_for_update().select_related("template").get(link=link)
    questions = invitation.template.questions
    answers, bad = rules.parse_answers(questions, raw, scale_max=int(get_param("survey.scale_max", on=on)))
    if bad:
        raise AnswerIncomplete(problems=bad)  # rolls back: the link stays unused
    comment = " ".join(v for q in questions if q["type"] == "text" for v in [answers[q["key"]]] if v)
    answer = Answer.objects.create(invitation=invitation, answered_at=now, answers=answers,
                                   overall=answers["overall"], lowest=rules.lowest_score(questions, answers),
                                   comment=comment[:2000])
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    audit_record(actor=None, event_code=E.ANSWER_RECORDED, object_type="surveys.answer", object_id=answer.pk,
                 customer_id=invitation.customer_id, new={"invitation": invitation.pk, "overall": answer.overall,
                                                          "lowest": answer.lowest})
    if answer.lowest <= int(get_param("survey.low_score_max", on=on)) and invitation.customer_id:
        _open_follow_up(invitation, answer, now)
    if invitation.visit_id:

        visit_close_answered(visit_id=invitation.visit_id, now=now)
    return answer


def _open_follow_up(invitation: Invitation, answer: Answer, now: datetime) -> None:
    channel = {"visit": "visit", "complaint": "phone", "online": "online"}.get(invitation.trigger, "online")
    if invitation.ticket_id:
        channel = invitation.ticket.channel
    with translation.override("zh-hans"):
        subject = _("Satisfaction follow-up: score %(score)d (%(trigger)s)") % {
            "score": answer.lowest, "trigger": Trigger(invitation.trigger).label}
        subject = str(subject)
    ticket = ticket_open(actor=None, customer_id=invitation.customer_id, kind="dissatisfaction", subject=subject,
                         description=answer.comment, channel=channel, team=invitation.team[:64],
                         subject_user_id=invitation.staff_user_id, now=now)
    answer.follow_up = ticket
    answer.save(update_fields=["follow_up"])
    audit_record(actor=None, event_code=E.FOLLOW_UP_OPENED, object_type="surveys.answer", object_id=answer.pk,
                 customer_id=invitation.customer_id, new={"ticket": ticket.pk})
