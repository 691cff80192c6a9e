"""Demo surveys through the services: the dispatcher sends the surveys that are due for the demo's visits
and closed tickets (and the quarterly survey of A/B customers); about two in three visit surveys are
answered on the public page's service, one with a low score that opens a dissatisfaction case.
``load_demo_surveys(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random
import re

from django.utils import timezone

from kehu.outbox.models import Message

from . import services
from .models import Answer, Invitation


def _token(invitation: Invitation) -> str | None:
    body = Message.objects.filter(pk=invitation.message_id).values_list("body", flat=True).first() or ""
    match = re.search(r"/s/([^/\s]+)/", body)
    return match.group(1) if match else None


def load_demo_surveys(rng: random.Random) -> dict:
    if Invitation.objects.exists():
        return {"created": False}
    now = timezone.now()
    sent = services.surveys_dispatch(now=now)
    answered, low_done = 0, False
    for invitation in Invitation.objects.filter(trigger="visit").order_by("pk"):
        token = _token(invitation)
        if token is None or rng.random() > 0.67:
            continue
        if not low_done and invitation.customer_id:
            scores, comment = {"overall": 2, "reception": 2, "arrangement": 3}, "等候时间太长，接待人员不熟悉我们的订单。"
            low_done = True
        else:
            top = rng.choice([5, 5, 4, 4, 3])
            scores, comment = {"overall": top, "reception": max(3, top - rng.randint(0, 1)), "arrangement": top}, ""
        services.survey_answer(token=token, raw={**scores, "comment": comment}, now=now)
        answered += 1
    for invitation in Invitation.objects.exclude(trigger="visit").order_by("pk")[:5]:
        token = _token(invitation)
        if token and rng.random() < 0.6:
            top = rng.choice([5, 4, 4, 3])
            questions = invitation.template.questions
            services.survey_answer(token=token, raw={q["key"]: top for q in questions if q["type"] == "scale"},
                                   now=now)
            answered += 1
    return {"created": True, "sent": sent, "answered": answered,
            "follow_up_cases": Answer.objects.filter(follow_up__isnull=False).count()}
