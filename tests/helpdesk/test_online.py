"""Online service (spec S-13, 线上服务管理制度): first-reply and full-answer limits from the parameters,
escalation instead of unilateral decisions, knowledge articles linked to tickets."""

from datetime import date, datetime

import pytest
from django.test import Client

from kehu.core.calendar import SHANGHAI
from kehu.core.errors import InvalidInput, InvalidTransition, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.models import AuditEvent, RuleParameter
from kehu.helpdesk import rules, services
from kehu.helpdesk.events import HelpdeskEvent as E
from kehu.helpdesk.models import KnowledgeArticle, State

pytestmark = pytest.mark.django_db
MON = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)  # an ordinary Monday


def online(w, **kw):
    return services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="online", channel="online",
                                subject="发票什么时候开？", now=MON, **kw)


ONLINE_STATES = ["received", "acknowledged", "communicated", "closed", "reopened", "withdrawn", "investigating"]
LEGAL = {("received", "acknowledged"), ("acknowledged", "communicated"), ("communicated", "closed"),
         ("closed", "reopened"), ("reopened", "communicated")}


@pytest.mark.parametrize("current", ONLINE_STATES)
@pytest.mark.parametrize("target", ONLINE_STATES)
def test_online_transition_table(current, target):
    legal = (current, target) in LEGAL or (target == "withdrawn" and current not in ("closed", "withdrawn"))
    assert rules.can_transition("online", current, target) is legal


def test_limits_come_from_the_parameters(hworld):
    t = online(hworld)
    assert t.first_response_due == datetime(2025, 11, 3, 11, 0, tzinfo=SHANGHAI)  # 2 working hours
    assert t.resolution_due == datetime(2025, 11, 4, 17, 30, tzinfo=SHANGHAI)  # 1 working day
    # an approved change of the parameter applies to the next conversation (the seeded policy follows it)
    RuleParameter.objects.create(code="service.online_first_reply_working_hours", value=1, unit="working hours",
                                 provenance="proposed", source_ref="test", effective_from=date(2020, 1, 1),
                                 status="approved")
    assert online(hworld).first_response_due == datetime(2025, 11, 3, 10, 0, tzinfo=SHANGHAI)


def test_escalation_blocks_the_agent_until_the_supervisor_decides(hworld):
    w = hworld
    t = online(w)
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="acknowledged", now=MON)
    t.refresh_from_db()
    assert t.first_responded_at == MON  # the first reply stops the first-reply clock
    with pytest.raises(InvalidInput):
        services.ticket_escalate(actor=w.bj_agent, ticket_id=t.pk, reason="")
    t = services.ticket_escalate(actor=w.bj_agent, ticket_id=t.pk, reason="客户要求减免运费", now=MON)
    with pytest.raises(InvalidTransition):  # no full answer and no closing while the decision is pending
        services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="communicated", now=MON)
    with pytest.raises(InvalidTransition):
        services.ticket_escalate(actor=w.bj_agent, ticket_id=t.pk, reason="again", now=MON)
    with pytest.raises(PermissionDenied):  # agents do not decide
        services.ticket_decide(actor=w.bj_agent2, ticket_id=t.pk, decision="ok")
    t = services.ticket_decide(actor=w.bj_super, ticket_id=t.pk, decision="同意减免运费 200 元", now=MON)
    assert t.decided_by == w.bj_super
    with pytest.raises(InvalidTransition):
        services.ticket_decide(actor=w.bj_super, ticket_id=t.pk, decision="twice")
    services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="communicated", now=MON)
    t = services.ticket_transition(actor=w.bj_agent, ticket_id=t.pk, to="closed", now=MON)
    assert t.state == State.CLOSED
    assert AuditEvent.objects.filter(event_code=E.TICKET_ESCALATED, object_id=str(t.pk)).count() == 1
    assert AuditEvent.objects.filter(event_code=E.TICKET_DECIDED, object_id=str(t.pk)).count() == 1


def test_supervisor_who_escalated_cannot_decide_alone(hworld):
    w = hworld
    t = online(w)
    services.ticket_escalate(actor=w.bj_super, ticket_id=t.pk, reason="需要财务意见")
    with pytest.raises(SelfApprovalNotAllowed):
        services.ticket_decide(actor=w.bj_super, ticket_id=t.pk, decision="自己同意")


def test_articles_link_to_tickets_once_and_in_scope(hworld):
    from kehu.core.errors import NotFound

    w = hworld
    t = online(w)
    art = KnowledgeArticle.objects.create(title="开票时间", body="月结客户次月5日前开具增值税发票。", tags="发票")
    services.ticket_link_article(actor=w.bj_agent, ticket_id=t.pk, article_id=art.pk)
    services.ticket_link_article(actor=w.bj_agent, ticket_id=t.pk, article_id=art.pk)
    assert list(t.articles.all()) == [art]
    assert AuditEvent.objects.filter(event_code=E.ARTICLE_LINKED, object_id=str(t.pk)).count() == 1
    with pytest.raises(InvalidInput):
        services.ticket_link_article(actor=w.bj_agent, ticket_id=t.pk, article_id=987654)
    with pytest.raises(NotFound):
        services.ticket_link_article(actor=w.sh_agent, ticket_id=t.pk, article_id=art.pk)


def test_online_page_search_link_and_escalate(hworld):
    w = hworld
    t = online(w)
    art = KnowledgeArticle.objects.create(title="开票时间", body="月结客户次月5日前开具增值税发票。", tags="发票")
    c = Client()
    c.force_login(w.bj_agent)
    page = c.get(f"/helpdesk/{t.pk}/", {"kb": "发票"}).content.decode()
    assert f'id="link-{art.pk}"' in page and 'id="do-escalate"' in page
    c.post(f"/helpdesk/{t.pk}/action/", {"action": "link_article", "article_id": str(art.pk)})
    c.post(f"/helpdesk/{t.pk}/action/", {"action": "link_article", "article_id": "x"})  # refused, no 500
    c.post(f"/helpdesk/{t.pk}/action/", {"action": "escalate", "reason": "客户要求赔偿"})
    page = c.get(f"/helpdesk/{t.pk}/").content.decode()
    assert "开票时间" in page.split('id="linked-articles"')[1][:200]
    assert 'id="escalation"' in page and 'id="do-escalate"' not in page


def test_online_over_the_api(hworld):
    from tests._fixtures.api import ApiClient

    api, w = ApiClient(hworld), hworld
    KnowledgeArticle.objects.create(title="退货流程", body="三个工作日内答复", tags="退货")
    r = api.post("bj_agent", "/helpdesk/tickets", {"customer_id": w.enterprise().pk, "kind": "online",
                                                   "channel": "online", "subject": "?"})
    tid = r.json()["id"]
    assert r.json()["channel"] == "online"
    arts = api.get("bj_agent", "/helpdesk/knowledge?q=退货").json()
    assert [a["title"] for a in arts] == ["退货流程"]
    assert api.post("bj_agent", f"/helpdesk/tickets/{tid}/articles", {"article_id": arts[0]["id"]}).status_code == 200
    r = api.post("bj_agent", f"/helpdesk/tickets/{tid}/escalate", {"reason": "需主管决定"})
    assert r.status_code == 200 and r.json()["escalated_at"]
    assert api.post("bj_agent", f"/helpdesk/tickets/{tid}/decide", {"decision": "x"}).status_code == 403
    r = api.post("bj_super", f"/helpdesk/tickets/{tid}/decide", {"decision": "同意"})
    assert r.status_code == 200 and r.json()["decided_by_id"] == w.bj_super.pk
    assert api.post("bj_agent", f"/helpdesk/tickets/{tid}/escalate", {}).status_code == 422
