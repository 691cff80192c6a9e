"""Freeze, the large-credit table with the 357号 rules on the real database, sign-off, exports, concentration."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.core.errors import Conflict, InvalidTransition, PermissionDenied, SelfApprovalNotAllowed
from kehu.core.models import AuditEvent
from kehu.credit import services as credit
from kehu.credit.models import CreditLine
from kehu.customers import services as customer_services
from kehu.exposure import rules, services
from kehu.exposure.errors import ReportInvalid
from kehu.exposure.events import ExposureEvent
from kehu.exposure.models import FrozenPosition, LargeCreditRow

D = Decimal
BIG = "150000000.00"
HEADER = {"org_code": "B0001H211000001", "preparer": "张三", "phone": "010-66668888", "reviewer": "李四"}


def _period(offset=0):
    today = timezone.localdate()
    month = today.month - 1 + offset
    return f"{today.year + month // 12:04d}-{month % 12 + 1:02d}"


def _scenario(w):
    """Four large customers: an active MCL; a renewal pending; a real exit; specific lines only. One small."""
    active = rated_customer(w)
    a_line = active_line(w, active, BIG, sub_limits={"loan": "100000000.00", "acceptance": "80000000.00"})
    use = credit.use_reserve(actor=w.bj_cm, line_id=a_line.pk, product="acceptance", amount="60000000.00",
                             margin_amount="20000000.00")
    credit.use_post(actor=w.bj_cm, use_id=use.pk)
    loan = credit.use_reserve(actor=w.bj_cm, line_id=a_line.pk, product="loan", amount="30000000.00")
    credit.use_post(actor=w.bj_cm, use_id=loan.pk)

    renewing = rated_customer(w)
    r_line = active_line(w, renewing, "200000000.00", valid_to=timezone.localdate() + timedelta(days=20))
    ru = credit.use_reserve(actor=w.bj_cm, line_id=r_line.pk, product="loan", amount="50000000.00")
    credit.use_post(actor=w.bj_cm, use_id=ru.pk)

    leaving = rated_customer(w)
    l_line = active_line(w, leaving, "300000000.00")

    specific = rated_customer(w, rating="BBB")
    s1 = credit.line_request(actor=w.bj_cm, customer_id=specific.pk, line_amount="90000000.00", line_type="specific",
                             sub_limits={"letter_of_guarantee": "90000000.00"})
    credit.line_approve(actor=w.hq_approver, line_id=s1.pk)
    su = credit.use_reserve(actor=w.bj_cm, line_id=s1.pk, product="letter_of_guarantee", amount="40000000.00",
                            margin_amount="15000000.00")
    credit.use_post(actor=w.bj_cm, use_id=su.pk)

    small = rated_customer(w)
    active_line(w, small, "5000000.00")
    return {"active": active, "renewing": renewing, "r_line": r_line, "leaving": leaving, "l_line": l_line,
            "specific": specific, "small": small}


def test_month_report_applies_each_357_rule(cworld):
    w = cworld
    s = _scenario(w)
    prev, cur = _period(-1), _period(0)
    services.month_freeze(actor=w.hq_risk, period=prev)
    assert AuditEvent.objects.filter(event_code=ExposureEvent.MONTH_FROZEN).count() == 1
    # the renewing customer's line matures; its renewal is still in approval → renewal pending
    credit.line_request(actor=w.bj_cm, customer_id=s["renewing"].pk, line_amount="250000000.00",
                        renews_line_id=s["r_line"].pk)
    credit.line_expire_due(today=s["r_line"].valid_to + timedelta(days=1))
    assert CreditLine.objects.get(pk=s["r_line"].pk).status == "renewal_pending"
    # the leaving customer really exits
    credit.line_exit(actor=w.hq_approver, line_id=s["l_line"].pk, reason="客户退出")
    services.month_freeze(actor=w.hq_risk, period=cur)
    report = services.report_draft(actor=w.hq_risk, period=cur, **HEADER)
    assert report.problems == []
    rows = {r.customer_id: r for r in LargeCreditRow.objects.filter(report=report)}
    # the MCL, not the exposure (150m line; 90m outstanding; 70m exposure)
    a = rows[s["active"].pk]
    assert (a.line_amount, a.outstanding_amount, a.exposure_amount, a.basis) == (
        D(BIG), D("90000000.00"), D("70000000.00"), "mcl")
    assert (a.on_balance_amount, a.off_balance_amount) == (D("30000000.00"), D("60000000.00"))
    # carried forward with the previous period's line
    r = rows[s["renewing"].pk]
    assert r.carried_forward and r.basis == "carried_forward" and r.line_amount == D("200000000.00")
    # a real exit drops out
    assert s["leaving"].pk not in rows
    # specific lines aggregated with the non-exposure part added back: 90m + 15m margin
    sp = rows[s["specific"].pk]
    assert (sp.line_amount, sp.basis) == (D("105000000.00"), "aggregated")
    # below the threshold
    assert s["small"].pk not in rows
    total = FrozenPosition.objects.get(freeze__period=cur, customer=s["small"], product="")
    assert total.report_line_amount == D("5000000.00")


def test_five_category_classification_is_frozen(cworld):
    w = cworld
    c = rated_customer(w)
    line = active_line(w, c, "1000.00")
    u = credit.use_reserve(actor=w.bj_cm, line_id=line.pk, product="loan", amount="400.00")
    credit.use_post(actor=w.bj_cm, use_id=u.pk)
    credit.use_classify(actor=w.hq_risk, use_id=u.pk, classification="substandard")
    freeze = services.month_freeze(actor=w.hq_risk, period=_period(0))
    pos = FrozenPosition.objects.get(freeze=freeze, customer=c, product="loan")
    assert pos.classification == {"substandard": "400.00"} and pos.on_balance is True
    with pytest.raises(Conflict):
        services.month_freeze(actor=w.hq_risk, period=_period(0))


def test_signoff_maker_checker_and_validation_blocks_submission(cworld):
    w = cworld
    _scenario(w)
    period = _period(0)
    services.month_freeze(actor=w.hq_risk, period=period)
    incomplete = services.report_draft(actor=w.hq_risk, period=period, org_code="B0001H")
    assert {p["code"] for p in incomplete.problems} == {"header_incomplete", "xml_invalid"}
    with pytest.raises(ReportInvalid):
        services.report_submit(actor=w.hq_risk, report_id=incomplete.pk)
    report = services.report_draft(actor=w.hq_risk, period=period, **HEADER)
    services.report_submit(actor=w.hq_risk, report_id=report.pk)
    with pytest.raises(SelfApprovalNotAllowed):
        services.report_signoff(actor=w.hq_risk, report_id=report.pk, approve=True)
    with pytest.raises(PermissionDenied):
        services.report_signoff(actor=w.hq_approver, report_id=report.pk, approve=True)
    services.report_signoff(actor=w.hq_risk2, report_id=report.pk, approve=True)
    report.refresh_from_db()
    assert report.status == "signed" and report.checker_id == w.hq_risk2.pk
    with pytest.raises(InvalidTransition):
        services.report_signoff(actor=w.hq_risk2, report_id=report.pk, approve=True)
    with pytest.raises(Conflict):
        services.report_draft(actor=w.hq_risk, period=period, **HEADER)
    for code in (ExposureEvent.REPORT_DRAFTED, ExposureEvent.REPORT_SUBMITTED, ExposureEvent.REPORT_SIGNED):
        assert AuditEvent.objects.filter(event_code=code).exists()


def test_exports_xlsx_and_xml(cworld):
    w = cworld
    _scenario(w)
    period = _period(0)
    services.month_freeze(actor=w.hq_risk, period=period)
    report = services.report_draft(actor=w.hq_risk, period=period, **HEADER)
    data, ctype, name = services.report_export(actor=w.hq_auditor, report_id=report.pk, fmt="xml")
    assert rules.validate_xml(data) == [] and name.endswith(".xml")
    assert data.count(b"<report ") == 4
    data, ctype, name = services.report_export(actor=w.hq_risk, report_id=report.pk, fmt="xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.cell(3, 1).value == "统一社会信用代码"
    assert ws.max_row == 3 + 4 + 1 and ws.cell(8, 1).value.startswith("# 导出人 hq_risk")  # rows, watermark
    assert AuditEvent.objects.filter(event_code=ExposureEvent.REPORT_EXPORTED).count() == 2
    with pytest.raises(PermissionDenied):
        services.report_export(actor=w.bj_cm, report_id=report.pk, fmt="xml")


def test_concentration_alerts_against_capital_bases(cworld):
    w = cworld
    a, b = rated_customer(w), rated_customer(w)
    group = customer_services.group_create(actor=w.bj_office, code="G-C", name="集中集团", org_code="BJ")
    for c in (a, b):
        customer_services.group_add_member(actor=w.bj_office, group_id=group.pk, customer_id=c.pk,
                                           relation="subsidiary")
    for c, amount in ((a, "95.00"), (b, "60.00")):
        line = active_line(w, c, "1000.00")
        u = credit.use_reserve(actor=w.bj_cm, line_id=line.pk, product="loan", amount=amount)
        credit.use_post(actor=w.bj_cm, use_id=u.pk)
    period = _period(0)
    services.month_freeze(actor=w.hq_risk, period=period)
    with pytest.raises(Conflict):
        services.concentration_check(actor=w.hq_risk, period=period)
    with pytest.raises(PermissionDenied):
        services.capital_base_record(actor=w.hq_risk, as_of=timezone.localdate().replace(day=1),
                                     capital_amount="1000", net_capital_amount="1000", tier1_net_amount="1000")
    services.capital_base_record(actor=w.hq_finance, as_of=timezone.localdate().replace(day=1),
                                 capital_amount="1000.00", net_capital_amount="1000.00", tier1_net_amount="1000.00")
    alerts = services.concentration_check(actor=w.hq_risk, period=period)
    got = {(x.limit_code, x.customer_id or ("g", x.group_id), x.level_pct) for x in alerts}
    # a: 95 / 1000 = 9.5 % of capital → 90 % of the 10 % cap; b: 6 % → below 80 %
    assert ("limit.single_borrower_loan_pct_capital", a.pk, D("90")) in got
    assert not any(k[1] == b.pk and k[0] == "limit.single_borrower_loan_pct_capital" for k in got)
    # group: 155 / 1000 = 15.5 % of net capital → 100 % of the 15 % cap
    assert ("limit.group_credit_pct_net_capital", ("g", group.pk), D("100")) in got
    assert AuditEvent.objects.filter(event_code=ExposureEvent.CONCENTRATION_CHECKED).count() == 1


def test_permissions(cworld):
    w = cworld
    for user in (w.bj_cm, w.admin, w.bj_auditor, w.hq_finance):
        with pytest.raises(PermissionDenied):
            services.month_freeze(actor=user, period=_period(0))
