"""The monthly scorecard against a hand-computed month (domain spec P-3, P-5, P-6).

October 2026. bj_agent closed four tickets: one on time at first contact, one that breached its time
limit (still first contact), one escalated, one reopened (a fifth was closed in September). Four survey
answers about them score 5, 4, 2 and 3. Manager's marks: attitude 90, process 80, one security violation,
training done.

  time limits met   3/4 = 75.00      first-contact   2/4 = 50.00      CSAT (4-5)   2/4 = 50.00
  quality           (40·75 + 30·50 + 30·50) / 100 = 60.00
  infosec           100 − 50 = 50.00
  total             (25·90 + 25·80 + 30·60 + 20·50) / 100 = 70.50   → neither interview nor commendation

bj_agent2 has no tickets and no answers (quality left out, weights renormalised), marks 60 / 60, no
violation, training missed: infosec 100 − 30 = 70; total (25·60 + 25·60 + 20·70) / 70 = 62.86 → an
improvement interview. bj_agent3 assessed themselves but has no marks yet: incomplete, no total.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kehu.core import services as core_services
from kehu.core.audit import audit_record
from kehu.core.errors import Conflict, NotFound, SelfApprovalNotAllowed
from kehu.helpdesk.events import HelpdeskEvent
from kehu.helpdesk.models import SlaBreach, Ticket
from kehu.helpdesk.services import ticket_open
from kehu.outbox.services import link_issue
from kehu.staff import selectors, services
from kehu.staff.models import Interview, Scorecard
from kehu.surveys.models import Answer, Invitation, SurveyTemplate

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 6, 9, 0, tzinfo=SH)
OCT = date(2026, 10, 1)


def oct_(day, hour=10):
    return datetime(2026, 10, day, hour, 0, tzinfo=SH)


@pytest.fixture
def month(rworld):
    rworld.users["bj_agent3"] = core_services.user_create(username="bj_agent3", org_code="BJ", roles=["service_agent"],
                                                          password="Kehu-test-2026", actor=None)
    customer = rworld.enterprise()
    agent = rworld.bj_agent

    def closed(day, **extra):
        t = ticket_open(actor=agent, customer_id=customer.pk, kind="complaint", subject="x", now=oct_(1))
        Ticket.objects.filter(pk=t.pk).update(state="closed", closed_at=day, handler=agent, **extra)
        return t

    closed(oct_(5))
    late = closed(oct_(6))
    SlaBreach.objects.create(ticket=late, handler=agent, clock="resolution", due_at=oct_(3), recorded_at=oct_(3))
    closed(oct_(7), escalated_at=oct_(2))
    reopened = closed(oct_(20))
    from django.db import transaction

    with transaction.atomic():
        audit_record(actor=agent, event_code=HelpdeskEvent.TICKET_REOPENED, object_type="helpdesk.ticket",
                     object_id=reopened.pk)
    closed(datetime(2026, 9, 30, 10, 0, tzinfo=SH))  # September: not this month
    template = SurveyTemplate.objects.get(code="visit")
    for i, score in enumerate((5, 4, 2, 3)):
        link, _ = link_issue(purpose="survey", target_type="t", target_id=i, expires_at=oct_(30), now=oct_(1))
        inv = Invitation.objects.create(source_key=f"test:{i}", template=template, trigger="visit", org_path="/HQ/BJ/",
                                        staff_user=agent, link=link, sent_at=oct_(2), expires_at=oct_(30))
        Answer.objects.create(invitation=inv, answered_at=oct_(10 + i), answers={"overall": score}, overall=score,
                              lowest=score)
    for name in ("bj_agent", "bj_agent2", "bj_agent3"):
        services.self_assess(actor=rworld.users[name], period="2026-10", attitude=85, process=85, now=NOW)
    services.manager_mark(actor=rworld.bj_super, user_id=agent.pk, period="2026-10", attitude=90, process=80,
                          security_violations=1, training_done=True, now=NOW)
    services.manager_mark(actor=rworld.bj_super, user_id=rworld.bj_agent2.pk, period="2026-10", attitude=60,
                          process=60, security_violations=0, training_done=False, now=NOW)
    return rworld


def test_scorecards_match_the_hand_computed_month(month):
    summary = services.scorecards_compute(period="2026-10", now=NOW)
    assert summary == {"period": "2026-10", "scored": 4, "complete": 2, "improvement": 1, "commendation": 0}
    card = Scorecard.objects.get(user=month.bj_agent, period=OCT)
    assert (card.attitude, card.process, card.quality, card.infosec, card.total) == (
        Decimal("90.00"), Decimal("80.00"), Decimal("60.00"), Decimal("50.00"), Decimal("70.50"))
    parts = card.detail["quality"]["parts"]
    assert (parts["sla"]["met"], parts["sla"]["of"], parts["sla"]["score"]) == (3, 4, "75.00")
    assert (parts["fcr"]["first_contact"], parts["fcr"]["score"]) == (2, "50.00")
    assert (parts["csat"]["satisfied"], parts["csat"]["of"], parts["csat"]["score"]) == (2, 4, "50.00")
    assert card.detail["attitude"]["self"] == 85 and card.detail["band"] == ""
    second = Scorecard.objects.get(user=month.bj_agent2, period=OCT)
    assert (second.quality, second.infosec, second.total) == (None, Decimal("70.00"), Decimal("62.86"))
    third = Scorecard.objects.get(user=month.bj_agent3, period=OCT)
    assert third.complete is False and third.total is None
    assert Scorecard.objects.get(user=month.sh_agent, period=OCT).total is None
    interview = Interview.objects.get()
    assert interview.user == month.bj_agent2 and interview.total == Decimal("62.86")
    # computed again: the same cards, still one interview
    services.scorecards_compute(period="2026-10", now=NOW)
    assert Scorecard.objects.filter(period=OCT).count() == 4 and Interview.objects.count() == 1
    assert Scorecard.objects.get(user=month.bj_agent, period=OCT).total == Decimal("70.50")


def test_self_assessment_first_scope_and_no_self_marking(rworld):
    with pytest.raises(Conflict) as err:
        services.manager_mark(actor=rworld.bj_super, user_id=rworld.bj_agent.pk, period="2026-10", attitude=80,
                              process=80, now=NOW)
    assert err.value.code == "self_assessment_first"
    services.self_assess(actor=rworld.bj_agent, period="2026-10", attitude=80, process=80, now=NOW)
    with pytest.raises(Conflict):
        services.self_assess(actor=rworld.bj_agent, period="2026-10", attitude=99, process=99, now=NOW)
    core_services.user_create(username="sh_super", org_code="SH", roles=["service_supervisor"],
                              password="Kehu-test-2026", actor=None)
    from kehu.core.models import User

    with pytest.raises(NotFound):
        services.manager_mark(actor=User.objects.get(username="sh_super"), user_id=rworld.bj_agent.pk,
                              period="2026-10", attitude=80, process=80, now=NOW)
    services.self_assess(actor=rworld.bj_super, period="2026-10", attitude=80, process=80, now=NOW)
    with pytest.raises(SelfApprovalNotAllowed):
        services.manager_mark(actor=rworld.bj_super, user_id=rworld.bj_super.pk, period="2026-10", attitude=100,
                              process=100, now=NOW)


def test_staff_see_their_card_and_managers_the_league_table(month):
    services.scorecards_compute(period="2026-10", now=NOW)
    assert selectors.own_scorecard(user=month.bj_agent, period=OCT).total == Decimal("70.50")
    league = list(selectors.league(user=month.bj_super, period=OCT))
    assert [c.user.username for c in league][:2] == ["bj_agent", "bj_agent2"]
    assert month.sh_agent.pk not in {c.user_id for c in league}  # outside the manager's org subtree
    client = Client()
    client.force_login(month.bj_agent)
    page = client.get("/staff/?period=2026-10").content.decode()
    assert "70.50" in page and 'id="measures"' in page and "3/4" in page
    assert client.get("/staff/team/?period=2026-10").status_code == 403
    boss = Client()
    boss.force_login(month.bj_super)
    page = boss.get("/staff/team/?period=2026-10").content.decode()
    assert "62.86" in page and "bj_agent2" in page
    interview = Interview.objects.get()
    r = boss.post("/staff/team/?period=2026-10", {"action": "interview", "interview_id": interview.pk,
                                                   "notes": "沟通改进计划", "follow_up_on": "2026-12-01"})
    assert r.status_code == 302
    interview.refresh_from_db()
    assert interview.held_by == month.bj_super and str(interview.follow_up_on) == "2026-12-01"


def test_notice_of_what_is_measured_is_published_before_the_period(rworld):
    notice = services.notice_publish(period="2026-12", now=NOW)
    assert notice.content["weights"] == {"attitude": 25, "process": 25, "quality": 30, "infosec": 20}
    with pytest.raises(Conflict):
        services.notice_publish(period="2026-11", now=NOW)  # already started


def test_scheduled_job_scores_the_month_before_and_announces_the_next(month):
    from kehu.core.scheduler import run_due

    # working day 5 of November 2026 is 6 November (a Friday; 2-6 November are working days)
    outcomes = {o.job: o for o in run_due(now=datetime(2026, 11, 6, 7, 30, tzinfo=SH), only=["staff.scorecard"])}
    assert outcomes["staff.scorecard"].state == "done"
    assert Scorecard.objects.filter(period=OCT).count() == 4
    from kehu.staff.models import MeasurementNotice

    assert MeasurementNotice.objects.filter(period=date(2026, 12, 1)).exists()


def test_api_and_cli(month, api):
    from django.core.management import call_command

    call_command("staff_score", "--period", "2026-10")
    r = api.get("bj_agent", "/staff/scorecards/me?period=2026-10")
    assert r.status_code == 200 and r.json()["total"] == "70.50"
    assert api.get("bj_agent", "/staff/league?period=2026-10").status_code == 403
    assert len(api.get("bj_super", "/staff/league?period=2026-10").json()) == 3  # not sh_agent (SH)
    assert api.post("bj_agent", "/staff/self-assessments", {"period": "2026-10", "attitude": 101,
                                                            "process": 5}).status_code in (400, 409)
    assert api.get("bj_agent", "/staff/measures").json()["weights"]["quality"] == 30
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("staff_score", "--period", "2026-13")
