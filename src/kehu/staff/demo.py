"""Demo scorecards through the services: the notice of what is measured next month, the service and
reception agents' self-assessments, the supervisor's marks and this month's scorecards (quality from the
demo's closed tickets and survey answers; one below the improvement threshold, one commended).
``load_demo_staff(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random

from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.models import User

from . import services
from .models import Scorecard

DEMO_PASSWORD = "Kehu-Demo-2026"


def _user(username, org, role):
    user = User.objects.filter(username=username).first()
    return user or core_services.user_create(username=username, org_code=org, roles=[role], password=DEMO_PASSWORD,
                                             actor=None)


def load_demo_staff(rng: random.Random) -> dict:
    if Scorecard.objects.exists():
        return {"created": False}
    now = timezone.now()
    today = timezone.localdate(now)
    period = today.replace(day=1)
    supervisor = _user("hq_service_sup", "HQ", "service_supervisor")
    agents = [_user(name, "HQ", "service_agent") for name in
              ("hq_agent1", "hq_agent2", "hq_reception", "hq_online1", "hq_online2")]
    marks = [(92, 95, 0, True), (85, 88, 0, True), (90, 86, 0, True), (62, 58, 1, False), (96, 97, 0, True)]
    for agent, (attitude, process, violations, training) in zip(agents, marks, strict=True):
        services.self_assess(actor=agent, period=period, attitude=min(100, attitude + rng.randint(0, 5)),
                             process=min(100, process + rng.randint(0, 5)), note="本月按流程处理客户来电和来访", now=now)
        services.manager_mark(actor=supervisor, user_id=agent.pk, period=period, attitude=attitude, process=process,
                              security_violations=violations, training_done=training, now=now)
    summary = services.scorecards_compute(period=period, now=now)
    following = period.replace(year=period.year + (period.month == 12), month=period.month % 12 + 1)
    services.notice_publish(period=following, now=now)
    return {"created": True, **summary}
