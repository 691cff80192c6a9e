"""Survey triggers (P-2, P-4), the public answer page through a single-use link, immutable answers, the
low-score follow-up case and the CSAT figures against a hand-computed set."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from tests.reception.conftest import at

from kehu.customers.models import Customer
from kehu.helpdesk.models import Ticket
from kehu.outbox.models import Message
from kehu.reception import services as reception
from kehu.surveys import reports, services
from kehu.surveys.models import Answer, Invitation

pytestmark = pytest.mark.django_db
BOOKED = at("2026-10-08", "08:00")


def visit_done(world, *, checked_out, customer=None, phone="13900139000", email="", **kw):
    values = {"visitor_kind": "customer" if customer else "prospect", "visitor_name": "周杰", "purpose": "商务洽谈",
              "scheduled_start": checked_out - timedelta(hours=1), "expected_minutes": 60, "visitor_phone": phone,
              "visitor_email": email, "customer_id": customer.pk if customer else None}
    values.update(kw)
    visit = reception.visit_book(actor=world.bj_agent, now=checked_out - timedelta(hours=2), **values)
    reception.visit_check_in(actor=world.bj_agent, visit_id=visit.pk, now=checked_out - timedelta(hours=1))
    reception.visit_transition(actor=world.bj_agent, visit_id=visit.pk, to="checked_out", now=checked_out)
    return visit


def token_of(invitation: Invitation) -> str:
    """The token in the invitation's message. The scenario's clock is October 2026; the pages run on
    today's, so the link is kept open for them (expiry itself is tested with the service's clock)."""
    from django.utils import timezone

    from kehu.outbox.models import SignedLink

    SignedLink.objects.filter(pk=invitation.link_id).update(expires_at=timezone.now() + timedelta(days=14))
    body = Message.objects.get(pk=invitation.message_id).body
    return re.search(r"/s/([^/\s]+)/", body).group(1)


def test_visit_survey_sent_24_hours_after_check_out_once(rworld):
    visit = visit_done(rworld, checked_out=at("2026-10-09", "11:00"), email="zhou@example.cn")
    assert services.surveys_dispatch(now=at("2026-10-10", "10:59"))["visit"] == 0
    assert services.surveys_dispatch(now=at("2026-10-10", "11:00"))["visit"] == 1
    assert services.surveys_dispatch(now=at("2026-10-10", "11:15"))["visit"] == 0  # once per visit
    invitation = Invitation.objects.get()
    assert invitation.trigger == "visit" and invitation.staff_user == rworld.bj_agent
    assert invitation.template.code == "visit" and invitation.team == "北京分公司"
    message = Message.objects.get(pk=invitation.message_id)
    assert message.channel == "email" and message.recipient == "zhou@example.cn"
    assert "周" not in message.body and "http" in message.body  # a greeting and the link, no personal data
    visit.refresh_from_db()
    assert visit.state == "surveyed"


def test_visit_without_contact_is_counted_not_sent(rworld):
    visit_done(rworld, checked_out=at("2026-10-09", "11:00"), phone="")
    assert services.surveys_dispatch(now=at("2026-10-10", "12:00")) == {
        "visit": 0, "ticket": 0, "relationship": 0, "no_contact": 1}


def test_closed_complaint_surveyed_3_days_later_and_quarterly_relationship(rworld):
    customer = rworld.enterprise(email="buyer@example.cn")
    from kehu.helpdesk.services import ticket_open

    ticket = ticket_open(actor=rworld.bj_agent, customer_id=customer.pk, kind="complaint", subject="迟发货",
                         now=at("2026-10-08", "09:00"))
    Ticket.objects.filter(pk=ticket.pk).update(state="closed", closed_at=at("2026-10-09", "10:00"))
    assert services.surveys_dispatch(now=at("2026-10-12", "09:59"))["ticket"] == 0
    assert services.surveys_dispatch(now=at("2026-10-12", "10:00"))["ticket"] == 1
    assert Invitation.objects.get(ticket=ticket).trigger == "complaint"
    Customer.objects.filter(pk=customer.pk).update(grade="A")
    other = rworld.enterprise(email="c@example.cn")
    Customer.objects.filter(pk=other.pk).update(grade="C")
    assert services.surveys_dispatch(now=at("2026-10-12", "10:15"))["relationship"] == 1
    assert services.surveys_dispatch(now=at("2026-12-30", "10:15"))["relationship"] == 0  # same quarter
    assert services.surveys_dispatch(now=at("2027-01-02", "10:15"))["relationship"] == 1  # next quarter
    assert not Invitation.objects.filter(customer=other).exists()


def answer_page(token):
    return Client().get(f"/s/{token}/")


def test_public_page_answers_once_and_low_score_opens_a_case(rworld, django_capture_on_commit_callbacks):
    customer = rworld.enterprise()
    visit = visit_done(rworld, checked_out=at("2026-10-09", "11:00"), customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        services.surveys_dispatch(now=at("2026-10-10", "11:00"))
    assert len(mail.outbox) == 0  # SMS: through the log sender, not e-mail
    invitation = Invitation.objects.get()
    token = token_of(invitation)
    page = answer_page(token)
    html = page.content.decode()
    assert page.status_code == 200 and "来访满意度调查" in html and customer.name not in html and "周" not in html
    r = Client().post(f"/s/{token}/", {"overall": "2", "reception": "4", "arrangement": "5", "comment": "等太久"})
    assert r.status_code == 200 and "thanks" in r.content.decode()
    answer = Answer.objects.get()
    assert (answer.overall, answer.lowest, answer.comment) == (2, 2, "等太久")
    case = answer.follow_up
    assert case.kind == "dissatisfaction" and case.customer == customer and case.created_by is None
    assert case.subject_user == rworld.bj_agent  # the host rated cannot handle the case (回避)
    assert case.resolution_due > case.received_at and case.data["sla"]["resolution"] == [3, "working_days"]
    visit.refresh_from_db()
    assert visit.state == "closed"
    # used twice: refused, and the stored answer does not change
    again = Client().post(f"/s/{token}/", {"overall": "5", "reception": "5", "arrangement": "5"})
    assert again.status_code == 410
    assert answer_page(token).status_code == 410
    answer.refresh_from_db()
    assert answer.overall == 2 and Answer.objects.count() == 1 and Ticket.objects.filter(kind="dissatisfaction").count() == 1


def test_score_three_opens_no_case_and_prospects_get_none(rworld):
    visit_done(rworld, checked_out=at("2026-10-09", "11:00"))
    services.surveys_dispatch(now=at("2026-10-10", "11:00"))
    token = token_of(Invitation.objects.get())
    answer = services.survey_answer(token=token, raw={"overall": 1, "reception": 1, "arrangement": 1},
                                    now=at("2026-10-10", "12:00"))
    assert answer.follow_up is None  # a prospect is not a customer of the archive: no helpdesk case
    customer = rworld.enterprise()
    visit_done(rworld, checked_out=at("2026-10-09", "15:00"), customer=customer)
    services.surveys_dispatch(now=at("2026-10-10", "15:00"))
    token = token_of(Invitation.objects.get(customer=customer))
    assert services.survey_answer(token=token, raw={"overall": 3, "reception": 3, "arrangement": 3},
                                  now=at("2026-10-10", "16:00")).follow_up is None


def test_incomplete_answer_leaves_the_link_usable_and_expired_link_is_refused(rworld):
    visit_done(rworld, checked_out=at("2026-10-09", "11:00"))
    services.surveys_dispatch(now=at("2026-10-10", "11:00"))
    invitation = Invitation.objects.get()
    token = token_of(invitation)
    r = Client().post(f"/s/{token}/", {"overall": "9", "reception": "4"})
    assert r.status_code == 400 and 'id="form-error"' in r.content.decode()
    assert not Answer.objects.exists()
    from django.utils import timezone

    from kehu.outbox.errors import LinkExpired

    with pytest.raises(LinkExpired):
        services.survey_answer(token=token, raw={"overall": 5, "reception": 5, "arrangement": 5},
                               now=timezone.now() + timedelta(days=14))
    assert Client().get("/s/not-a-token/").status_code == 404


def test_csat_report_against_hand_computed_figures(rworld):
    """Four surveys in October: overall 5, 4 and 2 answered, one unanswered. Sent 4, answered 3, response
    rate 75.0 %, CSAT 2/3 = 66.7 %; one complaint received in October."""
    customer = rworld.enterprise(email="buyer@example.cn")
    Customer.objects.filter(pk=customer.pk).update(grade="B")
    for hour in (10, 11, 15, 16):
        visit_done(rworld, checked_out=at("2026-10-09", f"{hour:02d}:00"), customer=customer)
    services.surveys_dispatch(now=at("2026-10-10", "17:00"))  # (also sends B's quarterly survey: unanswered)
    visits = Invitation.objects.filter(trigger="visit").order_by("visit_id")
    for inv, score in zip(visits, (5, 4, 2), strict=False):
        services.survey_answer(token=token_of(inv), raw={"overall": score, "reception": score, "arrangement": 5},
                               now=at("2026-10-11", "09:00"))
    from datetime import date

    data = reports.csat_report(user=rworld.bj_super, start=date(2026, 10, 1), end=date(2026, 10, 1))
    assert data["total"] == {"sent": 5, "answered": 3, "satisfied": 2, "response_rate": 60.0, "csat": 66.7}
    by_channel = {r["key"]: r for r in data["channel"]}
    assert (by_channel["visit"]["sent"], by_channel["visit"]["response_rate"], by_channel["visit"]["csat"]) == \
        (4, 75.0, 66.7)
    assert by_channel["relationship"]["csat"] is None
    assert [(r["key"], r["csat"]) for r in data["grade"]] == [("B", 66.7)]
    assert data["trend"] == [{"month": "2026-10", "csat": 66.7, "complaints": 0}]  # the low score's case is not a complaint
    drill = list(reports.answers_for(user=rworld.bj_super, start=date(2026, 10, 1), end=date(2026, 10, 1),
                                     dim="channel", value="visit"))
    assert sorted(a.overall for a in drill) == [2, 4, 5]
    assert reports.csat_report(user=rworld.sh_agent, start=date(2026, 10, 1), end=date(2026, 10, 1))["total"]["sent"] == 0
    client = Client()
    client.force_login(rworld.bj_super)
    page = client.get("/surveys/?start=2026-10&end=2026-10")
    assert page.status_code == 200 and "66.7" in page.content.decode()
    xlsx = client.get("/surveys/report.xlsx?start=2026-10&end=2026-10")
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 6
    svg = client.get("/surveys/chart/trend.svg?start=2026-10&end=2026-10")
    assert svg.status_code == 200 and svg.content.startswith(b"<svg")
    assert client.get("/surveys/answers/?start=2026-10&end=2026-10&dim=channel&value=visit").status_code == 200
    outsider = Client()
    outsider.force_login(rworld.admin)
    assert outsider.get("/surveys/").status_code == 403


def test_new_template_version_does_not_change_sent_surveys(rworld):
    visit_done(rworld, checked_out=at("2026-10-09", "11:00"))
    services.surveys_dispatch(now=at("2026-10-10", "11:00"))
    template = services.template_publish(actor=rworld.bj_super, code="visit", title="来访调查（新版）",
                                         questions=[{"key": "overall", "type": "scale", "text": "总体满意度"}])
    assert template.version == 2
    assert Invitation.objects.get().template.version == 1
    from kehu.core.errors import InvalidInput, PermissionDenied

    with pytest.raises(InvalidInput):
        services.template_publish(actor=rworld.bj_super, code="visit", title="x",
                                  questions=[{"key": "comment", "type": "text", "text": "?"}])
    with pytest.raises(PermissionDenied):
        services.template_publish(actor=rworld.bj_agent, code="visit", title="x", questions=[])


def test_public_api_answer_and_report_api(api, rworld):
    visit_done(rworld, checked_out=at("2026-10-09", "11:00"))
    services.surveys_dispatch(now=at("2026-10-10", "11:00"))
    token = token_of(Invitation.objects.get())
    r = api.get(None, f"/public/surveys/{token}")
    assert r.status_code == 200 and r.json()["questions"][0]["key"] == "overall"
    r = api.post(None, f"/public/surveys/{token}", {"answers": {"overall": 5, "reception": 4, "arrangement": 4}})
    assert r.status_code == 201
    assert api.post(None, f"/public/surveys/{token}", {"answers": {"overall": 5}}).json()["code"] == "link_used"
    r = api.get("bj_super", "/surveys/report?start=2026-10&end=2026-10")
    assert r.status_code == 200 and r.json()["total"]["csat"] == 100.0
    assert api.get("bj_super", "/surveys/report?start=2026-13&end=2026-10").status_code == 400
    assert api.get("admin", "/surveys/report?start=2026-10&end=2026-10").status_code == 403
