"""S9 Ch.5 §1: grading on the operating AND financial status. The customer's yearly statements (current
ratio, debt ratio, overdue to other creditors) are entered through the service, the API and the form on the
customer's grading page (audited), and feed the optional financial indicator of a scorecard with its own
weight; policies without it keep working; the page explains the indicator like the others."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from kehu.core.audit import AuditEvent
from kehu.core.errors import InvalidInput, PermissionDenied
from kehu.core.models import RuleParameter
from kehu.grading import rules
from kehu.grading.events import GradingEvent
from kehu.grading.models import GradeResult
from kehu.grading.services import policies
from kehu.grading.services.financials import statement_record
from kehu.grading.services.run import run_period

P = date(2026, 10, 1)
WEIGHTS = {"volume": 30, "fulfilment": 25, "payment": 25, "operating": 10, "financial": 10}


def test_statements_are_validated_audited_and_scoped(gworld):
    c = gworld.admit(gworld.enterprise())
    row = statement_record(actor=gworld.bj_cm, customer_id=c.pk, year=2025, current_ratio="1.2", debt_ratio="0.65",
                           overdue_to_others="0")
    assert (row.current_ratio, row.debt_ratio, row.overdue_to_others) == (D("1.2000"), D("0.6500"), D("0.00"))
    statement_record(actor=gworld.bj_cm, customer_id=c.pk, year=2025, current_ratio="1.3", debt_ratio="0.65",
                     overdue_to_others="0")  # a correction replaces the year's figures
    audit = list(AuditEvent.objects.filter(event_code=GradingEvent.STATEMENT_RECORDED).order_by("id"))
    assert len(audit) == 2 and audit[1].old_values["current_ratio"] == "1.2000"
    for bad in ({"current_ratio": "x"}, {"debt_ratio": "-1"}, {"year": "20x5"}, {"overdue_to_others": "NaN"}):
        args = {"year": 2025, "current_ratio": "1", "debt_ratio": "0.5", "overdue_to_others": "0", **bad}
        with pytest.raises(InvalidInput):
            statement_record(actor=gworld.bj_cm, customer_id=c.pk, **args)
    with pytest.raises(PermissionDenied):
        statement_record(actor=gworld.hq_committee1, customer_id=c.pk, year=2025, current_ratio="1",
                         debt_ratio="0.5", overdue_to_others="0")


def test_the_financial_indicator_scores_the_latest_statement_with_its_own_weight(gworld):
    RuleParameter.objects.create(code="grading.weights", value=WEIGHTS, unit="points", provenance="proposed",
                                 source_ref="test", effective_from=date(2020, 1, 1), status="approved")
    draft = policies.policy_create(actor=gworld.hq_office, name="含财务状况")
    policies.policy_approve(actor=gworld.hq_committee1, policy_id=draft.pk)
    assert [i["code"] for i in draft.config["indicators"]][-1] == "financial"
    healthy, weak, none = (gworld.admit(gworld.enterprise()) for _ in range(3))
    statement_record(actor=gworld.bj_cm, customer_id=healthy.pk, year=2025, current_ratio="1.8", debt_ratio="0.5",
                     overdue_to_others="0")
    statement_record(actor=gworld.bj_cm, customer_id=healthy.pk, year=2027, current_ratio="0.1", debt_ratio="0.99",
                     overdue_to_others="9")  # after M-1's year: not used for 2026-10
    statement_record(actor=gworld.bj_cm, customer_id=weak.pk, year=2026, current_ratio="0.75", debt_ratio="0.7",
                     overdue_to_others="5000")
    run_period(actor=gworld.hq_office, period="2026-10")
    rows = {r.customer_id: r for r in GradeResult.objects.filter(period=P)}
    h, w, n = rows[healthy.pk], rows[weak.pk], rows[none.pk]
    assert (h.weight_financial, h.score_financial, h.raw_current_ratio) == (D("10.00"), D("10.00"), D("1.8000"))
    assert w.score_financial == D("4.00")  # 4 x 0.75/1.5 = 2, debt ratio <= 0.8: 2, overdue to others: 0
    assert (n.raw_current_ratio, n.score_financial) == (None, D("0.00"))  # no statement, no points
    expected = rules.score_customer(draft.config, {
        "volume": D(0), "fulfilment": None, "on_time": D(1), "overdue_days": D(0), "licence_ok": D(1),
        "not_sued": D(1), "archive_complete": D(1), "current_ratio": D("0.75"), "debt_ratio": D("0.7"),
        "overdue_to_others": D("5000")}, {})
    assert (expected["scores"]["financial"], expected["total"]) == (w.score_financial, w.total_score)

    page = Client()
    page.force_login(gworld.bj_cm)
    html = page.get(f"/grading/2026-10/{weak.pk}/").content.decode()
    assert 'id="indicator-financial"' in html and "财务状况" in html and "0.7500" in html


def test_policies_without_the_indicator_keep_working(gworld, policy):
    c = gworld.admit(gworld.enterprise())
    statement_record(actor=gworld.bj_cm, customer_id=c.pk, year=2026, current_ratio="2", debt_ratio="0.3",
                     overdue_to_others="0")
    run_period(actor=gworld.hq_office, period="2026-10")
    row = GradeResult.objects.get(period=P, customer=c)
    assert (row.weight_financial, row.score_financial, row.total_score) == (D("0.00"), D("0.00"), D("70.00"))
    with pytest.raises(rules.PolicyInvalid):
        rules.validate_policy({**policy.config, "indicators": policy.config["indicators"] + [
            rules.financial_indicator(10)]})  # the weights must still add up to 100


def test_statements_over_the_api_and_the_form(gworld, policy):
    from tests._fixtures.api import ApiClient

    api = ApiClient(gworld)
    c = gworld.admit(gworld.enterprise())
    body = {"customer_id": c.pk, "year": 2025, "current_ratio": "1.1", "debt_ratio": "0.55", "overdue_to_others": "0"}
    r = api.post("bj_cm", "/grading/statements", body)
    assert r.status_code == 201 and r.json()["year"] == 2025
    assert api.post("bj_cm", "/grading/statements", {**body, "debt_ratio": "-2"}).status_code == 400
    assert api.get("bj_cm", f"/grading/statements/{c.pk}").json()[0]["current_ratio"] == "1.1000"
    run_period(actor=gworld.hq_office, period="2026-10")
    page = Client()
    page.force_login(gworld.bj_cm)
    html = page.get(f"/grading/2026-10/{c.pk}/").content.decode()
    assert 'id="statement-form"' in html
    page.post(f"/grading/2026-10/{c.pk}/statement/", {"year": "2026", "current_ratio": "1.4", "debt_ratio": "0.6",
                                                      "overdue_to_others": "1,000"})
    html = page.get(f"/grading/2026-10/{c.pk}/").content.decode()
    assert "2026" in html.split('id="statements"')[1] and "1000.00" in html
