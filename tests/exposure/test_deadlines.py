"""R-4 and R-3 parameters at work: the report's internal cut-off and submission deadline are shown and warned
on the statistics pages; customers carried forward (renewal pending) longer than the review period are
listed on the table for review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.test import Client
from tests._fixtures.credit_world import rated_customer

from kehu.exposure import rules, selectors
from kehu.exposure.models import LargeCreditReport, LargeCreditRow, StatFreeze


def test_deadlines_and_their_warning_state():
    dates = rules.report_deadlines("2026-10", deadline_days=15, cutoff_days=10)
    assert dates == {"cutoff": date(2026, 11, 10), "deadline": date(2026, 11, 15)}
    assert rules.deadline_state(date(2026, 11, 10), dates, signed=False) == ""
    assert rules.deadline_state(date(2026, 11, 11), dates, signed=False) == "cutoff_passed"
    assert rules.deadline_state(date(2026, 11, 16), dates, signed=False) == "overdue"
    assert rules.deadline_state(date(2026, 11, 16), dates, signed=True) == ""
    assert rules.report_deadlines("2026-12", deadline_days=15, cutoff_days=10)["deadline"] == date(2027, 1, 15)
    assert rules.carried_forward_since("2026-10", {"2026-09", "2026-08", "2026-06"}) == "2026-08"


def _report(period, customer, *, carried, status="signed"):
    freeze, _ = StatFreeze.objects.get_or_create(period=period)
    report = LargeCreditReport.objects.create(freeze=freeze, period=period, status=status,
                                              threshold_amount=D("100000000.00"))
    LargeCreditRow.objects.create(report=report, customer=customer, org_path=customer.org_path, uscc=customer.uscc or "",
                                  name=customer.name, line_amount=D("200000000.00"), outstanding_amount=D(0),
                                  on_balance_amount=D(0), off_balance_amount=D(0), exposure_amount=D(0),
                                  basis="carried_forward" if carried else "mcl", carried_forward=carried)
    return report


def test_pages_show_the_deadline_and_the_carried_forward_review(cworld):
    long_carried, recent = rated_customer(cworld), rated_customer(cworld)
    _report("2026-06", long_carried, carried=False)
    for period in ("2026-07", "2026-08", "2026-09"):
        _report(period, long_carried, carried=True)
    report = _report("2026-10", long_carried, carried=True, status="draft")
    LargeCreditRow.objects.create(report=report, customer=recent, org_path=recent.org_path, uscc=recent.uscc or "",
                                  name=recent.name, line_amount=D("150000000.00"), outstanding_amount=D(0),
                                  on_balance_amount=D(0), off_balance_amount=D(0), exposure_amount=D(0),
                                  basis="carried_forward", carried_forward=True)
    review = selectors.carried_forward_review(user=cworld.hq_risk, report=report)
    # carried since July: 2026-06-30 .. 2026-10-31 = 123 days > 90; the other only this month (31 days)
    assert [(r["row"].customer_id, r["since"], r["days"]) for r in review] == [(long_carried.pk, "2026-07", 123)]
    due = selectors.period_deadlines("2026-10", today=date(2026, 11, 12))
    assert (due["state"], due["signed"]) == ("cutoff_passed", False)
    client = Client()
    client.force_login(cworld.hq_risk)
    page = client.get(f"/exposure/reports/{report.pk}/").content.decode()
    assert 'id="carried-forward-review"' in page and long_carried.name in page.split('id="carried-forward-review"')[1]
    assert "报送截止日 2026-11-15" in page and "内部截止日 2026-11-10" in page
    assert 'id="report-deadline"' in client.get("/exposure/").content.decode()
