"""Credit lines: rating guard, authority routing, maker-checker, renewal, adjustment, exit, group lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from tests._fixtures.credit_world import active_line, rated_customer

from kehu.core.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SelfApprovalNotAllowed,
)
from kehu.core.models import AuditEvent
from kehu.credit import services
from kehu.credit.errors import CreditRefused, NoAuthority, RatingTooLow
from kehu.credit.events import CreditEvent
from kehu.credit.models import CreditLine, CreditUse, LineMovement, SubLimit
from kehu.customers import services as customer_services
from kehu.customers.errors import CustomerNotTradable
from kehu.customers.models import GroupMembership

D = Decimal


def test_rating_guard_default_a_and_parameter(cworld):
    c = rated_customer(cworld, rating="BBB")
    with pytest.raises(RatingTooLow):
        services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="1000.00")
    # a specific (single-product) line is not an MCL, so B-2 does not apply to it
    services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="1000.00", line_type="specific",
                          sub_limits={"loan": "1000.00"})
    services.rating_record(actor=cworld.hq_risk, customer_id=c.pk, rating="AA")
    line = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="1000.00")
    assert line.status == "in_approval" and line.rating == "AA" and line.is_committed is False
    assert AuditEvent.objects.filter(event_code=CreditEvent.RATING_RECORDED).count() == 2
    assert AuditEvent.objects.filter(event_code=CreditEvent.LINE_REQUESTED, object_id=str(line.pk)).exists()
    unrated = cworld.admit(cworld.enterprise())
    with pytest.raises(RatingTooLow):
        services.line_request(actor=cworld.bj_cm, customer_id=unrated.pk, line_amount="1000.00")


def test_prospect_cannot_get_a_line(cworld):
    prospect = cworld.enterprise()
    services.rating_record(actor=cworld.hq_risk, customer_id=prospect.pk, rating="AAA")
    with pytest.raises(CustomerNotTradable):
        services.line_request(actor=cworld.bj_cm, customer_id=prospect.pk, line_amount="1000.00")
    assert not CreditLine.objects.exists()


def test_routing_to_lowest_level_with_authority(cworld):
    c = rated_customer(cworld, org="BJ01", by=cworld.bj_cm)
    small = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="20000000.00")
    assert small.required_level == 2 and small.routed_org_path == "/HQ/BJ/BJ01/"
    services.line_reject(actor=cworld.bj01_approver, line_id=small.pk, note="重新申请")
    mortgage = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="80000000.00",
                                     collateral_type="mortgage", mortgage_share_pct="70")
    assert mortgage.required_level == 2  # B-7: ¥80m at a sub-branch with >= 70 % mortgage
    services.line_reject(actor=cworld.bj01_approver, line_id=mortgage.pk, note="x")
    mid = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="80000000.00",
                                collateral_type="mortgage", mortgage_share_pct="69")
    assert mid.required_level == 1 and mid.routed_org_path == "/HQ/BJ/"
    with pytest.raises(NoAuthority):
        services.line_approve(actor=cworld.bj01_approver, line_id=mid.pk)
    with pytest.raises(NotFound):
        services.line_approve(actor=cworld.sh_approver, line_id=mid.pk)
    services.line_approve(actor=cworld.bj_approver, line_id=mid.pk)
    assert CreditLine.objects.get(pk=mid.pk).status == "active"


def test_maker_checker(cworld):
    c = rated_customer(cworld)
    from kehu.core import services as core_services
    core_services.role_grant(user=cworld.bj_cm, role="credit_approver", org_code="HQ", actor=None)
    line = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="1000.00")
    from kehu.core.models import User
    maker = User.objects.get(pk=cworld.bj_cm.pk)
    with pytest.raises(SelfApprovalNotAllowed):
        services.line_approve(actor=maker, line_id=line.pk)
    with pytest.raises(PermissionDenied):
        services.line_approve(actor=cworld.bj_office, line_id=line.pk)
    services.line_approve(actor=cworld.hq_approver, line_id=line.pk)
    with pytest.raises(InvalidTransition):
        services.line_approve(actor=cworld.hq_approver, line_id=line.pk)
    assert AuditEvent.objects.filter(event_code=CreditEvent.LINE_APPROVED).count() == 1


def test_one_live_line_per_customer_and_validation(cworld):
    c = rated_customer(cworld)
    active_line(cworld, c, "1000.00")
    with pytest.raises(Conflict):
        services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="1000.00")
    with pytest.raises(InvalidInput):
        services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="100.00", line_type="specific",
                              sub_limits={"loan": "200.00"})
    with pytest.raises(InvalidInput):
        services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="-1")
    with pytest.raises(InvalidInput):
        services.line_request(actor=cworld.bj_cm, customer_id=c.pk, group_id=1, line_amount="1")


def test_formula_proposal_beside_request(cworld):
    c = rated_customer(cworld, rating="A")
    line = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="50000000.00",
                                 formula_inputs={"equity": "120000000.00", "intangibles": "10000000.00",
                                                 "related_party_receivables": "5000000.00",
                                                 "long_outstanding_receivables": "5000000.00",
                                                 "industry_debt_ratio": "0.6", "other_bank_lines": "20000000.00"})
    # (120-10-5-5)m × 0.6/0.4 × 0.8 × 0.4 = 48m; minus 20m other banks = 28m < 50m requested
    assert line.proposal["mcl_theory"] == "48000000.00"
    assert line.proposed_amount == D("28000000.00") and line.proposal["binding"] == "theory_less_other_banks"
    assert line.line_amount == D("50000000.00")


def test_adjust_decrease_below_use_is_refused(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00", sub_limits={"loan": "800.00"})
    services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="600.00")
    with pytest.raises(CreditRefused):
        services.line_adjust(actor=cworld.hq_approver, line_id=line.pk, line_amount="599.99", reason="压降")
    with pytest.raises(CreditRefused):
        services.line_adjust(actor=cworld.hq_approver, line_id=line.pk, sub_limits={"loan": "500.00"}, reason="压降")
    with pytest.raises(PermissionDenied):
        services.line_adjust(actor=cworld.bj_cm, line_id=line.pk, line_amount="700.00", reason="x")
    services.line_adjust(actor=cworld.hq_approver, line_id=line.pk, line_amount="700.00",
                         sub_limits={"loan": "650.00"}, reason="压降")
    line.refresh_from_db()
    assert line.line_amount == D("700.00")  # a decrease applies at once
    assert AuditEvent.objects.filter(event_code=CreditEvent.LINE_ADJUSTED).count() == 1
    with pytest.raises(CreditRefused):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="50.01")


def test_an_increase_waits_for_a_second_approver(cworld):
    from kehu.credit.models import LineChange

    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00", sub_limits={"loan": "800.00"})
    # the customer manager asks for more, and for a new product: nothing changes yet
    services.line_adjust(actor=cworld.bj_cm, line_id=line.pk, line_amount="1500.00",
                         sub_limits={"loan": "1200.00", "acceptance": "200.00"}, reason="业务增长")
    line.refresh_from_db()
    assert line.line_amount == D("1000.00")
    assert not SubLimit.objects.filter(line=line, product="acceptance").exists()
    change = LineChange.objects.get(line=line, status="pending")
    assert AuditEvent.objects.filter(event_code=CreditEvent.LINE_CHANGE_REQUESTED).count() == 1
    with pytest.raises(Conflict):  # one open request per line
        services.line_adjust(actor=cworld.bj_cm, line_id=line.pk, line_amount="1600.00", reason="再次")
    with pytest.raises(CreditRefused):
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="800.01")
    # an approver who asked for an increase cannot approve it: maker-checker
    services.line_change_reject(actor=cworld.hq_approver, change_id=change.pk, note="先按原额度")
    services.line_adjust(actor=cworld.hq_approver, line_id=line.pk, temp_amount="300.00",
                         temp_valid_to=line.valid_to, reason="临时额度")
    own = LineChange.objects.get(line=line, status="pending")
    with pytest.raises(SelfApprovalNotAllowed):
        services.line_change_approve(actor=cworld.hq_approver, change_id=own.pk)
    services.line_change_reject(actor=cworld.bj_approver, change_id=own.pk)
    services.line_adjust(actor=cworld.bj_cm, line_id=line.pk, line_amount="1500.00",
                         sub_limits={"loan": "1200.00", "acceptance": "200.00"}, reason="业务增长")
    change = LineChange.objects.get(line=line, status="pending")
    with pytest.raises(PermissionDenied):
        services.line_change_approve(actor=cworld.bj_cm, change_id=change.pk)
    services.line_change_approve(actor=cworld.hq_approver, change_id=change.pk, note="同意")
    line.refresh_from_db()
    assert line.line_amount == D("1500.00")
    assert SubLimit.objects.get(line=line, product="acceptance").limit_amount == D("200.00")
    assert LineChange.objects.get(pk=change.pk).status == "approved"
    with pytest.raises(InvalidTransition):
        services.line_change_approve(actor=cworld.hq_approver, change_id=change.pk)
    services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="1200.00")


def test_renewal_pending_then_approved_takes_over_the_use(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00", sub_limits={"loan": "1000.00"})
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="600.00")
    services.use_post(actor=cworld.bj_cm, use_id=use.pk)
    services.line_expire_due(today=line.valid_to + timedelta(days=1))
    line.refresh_from_db()
    assert line.status == "expired"
    small = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="500.00", renews_line_id=line.pk,
                                  valid_from=line.valid_to + timedelta(days=1))
    line.refresh_from_db()
    assert line.status == "renewal_pending"
    with pytest.raises(CreditRefused):  # 600 in use does not fit in a 500 renewal
        services.line_approve(actor=cworld.hq_approver, line_id=small.pk)
    services.line_reject(actor=cworld.hq_approver, line_id=small.pk, note="金额不足")
    line.refresh_from_db()
    assert line.status == "expired"
    renewal = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="2000.00",
                                    renews_line_id=line.pk, sub_limits={"loan": "1500.00"})
    services.line_approve(actor=cworld.hq_approver, line_id=renewal.pk)
    renewal.refresh_from_db()
    line.refresh_from_db()
    assert line.status == "closed" and line.outstanding_amount == 0
    assert renewal.outstanding_amount == D("600.00")
    assert SubLimit.objects.get(line=renewal).outstanding_amount == D("600.00")
    assert CreditUse.objects.get(pk=use.pk).line_id == renewal.pk
    services.use_repay(actor=cworld.bj_cm, use_id=use.pk)
    renewal.refresh_from_db()
    assert renewal.outstanding_amount == 0


def test_renewal_in_approval_at_maturity_marks_renewal_pending(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="1200.00", renews_line_id=line.pk)
    assert services.line_expire_due(today=line.valid_to + timedelta(days=1))["renewal_pending"] == 1
    assert CreditLine.objects.get(pk=line.pk).status == "renewal_pending"


def test_exit_only_when_unused(cworld):
    c = rated_customer(cworld)
    line = active_line(cworld, c, "1000.00")
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="10.00")
    with pytest.raises(Conflict):
        services.line_exit(actor=cworld.hq_approver, line_id=line.pk, reason="退出")
    services.use_release(actor=cworld.bj_cm, use_id=use.pk)
    services.line_exit(actor=cworld.hq_approver, line_id=line.pk, reason="退出")
    assert CreditLine.objects.get(pk=line.pk).status == "exited"
    assert AuditEvent.objects.filter(event_code=CreditEvent.LINE_EXITED).count() == 1


def test_group_line_caps_the_members_together(cworld):
    a = rated_customer(cworld)
    b = rated_customer(cworld)
    group = customer_services.group_create(actor=cworld.bj_office, code="G-1", name="某集团", org_code="BJ")
    for c in (a, b):
        customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=c.pk,
                                           relation="subsidiary")
    gline = services.line_request(actor=cworld.bj_cm, group_id=group.pk, line_amount="1500.00")
    services.line_approve(actor=cworld.hq_approver, line_id=gline.pk)
    la = active_line(cworld, a, "1000.00")
    lb = active_line(cworld, b, "1000.00")
    services.use_reserve(actor=cworld.bj_cm, line_id=la.pk, product="loan", amount="1000.00")
    with pytest.raises(CreditRefused) as err:
        services.use_reserve(actor=cworld.bj_cm, line_id=lb.pk, product="loan", amount="500.01")
    assert err.value.code == "exceeds_group_line"
    use = services.use_reserve(actor=cworld.bj_cm, line_id=lb.pk, product="loan", amount="500.00")
    assert use.group_line_id == gline.pk
    gline.refresh_from_db()
    assert gline.reserved_amount == D("1500.00")
    services.use_release(actor=cworld.bj_cm, use_id=use.pk)
    gline.refresh_from_db()
    assert gline.reserved_amount == D("1000.00")
    with pytest.raises(InvalidInput):
        services.use_reserve(actor=cworld.bj_cm, line_id=gline.pk, product="loan", amount="1.00")


def test_today_defaults_valid_for_twelve_months(cworld):
    c = rated_customer(cworld)
    line = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="1000.00")
    today = timezone.localdate()
    assert line.valid_from == today
    assert (line.valid_to - today).days in (364, 365)


def test_formula_proposal_capped_by_concentration_limit(cworld):
    from kehu.exposure import services as exposure_services

    exposure_services.capital_base_record(actor=cworld.hq_finance, as_of=timezone.localdate(),
                                          capital_amount="300000000.00", net_capital_amount="250000000.00",
                                          tier1_net_amount="200000000.00")
    c = rated_customer(cworld, rating="AAA")
    line = services.line_request(actor=cworld.bj_cm, customer_id=c.pk, line_amount="90000000.00",
                                 formula_inputs={"equity": "1000000000.00"})
    # 15 % of tier-1 net capital 200m = 30m binds below the 90m requested and the formula's theory
    assert line.proposal["binding"] == "concentration_cap" and line.proposed_amount == D("30000000.00")


def test_member_joining_later_has_its_earlier_uses_charged_to_the_group_line(cworld):
    a = rated_customer(cworld)
    line = active_line(cworld, a, "1000.00")
    early = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="800.00")
    services.use_post(actor=cworld.bj_cm, use_id=early.pk)
    group = customer_services.group_create(actor=cworld.bj_office, code="G-L", name="后入集团", org_code="BJ")
    customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=a.pk,
                                       relation="subsidiary")
    gline = services.line_request(actor=cworld.bj_cm, group_id=group.pk, line_amount="900.00")
    services.line_approve(actor=cworld.hq_approver, line_id=gline.pk)
    gline.refresh_from_db()  # the approval charged the member's earlier use at once
    assert (gline.outstanding_amount, gline.reserved_amount) == (D("800.00"), D("0.00"))
    assert CreditUse.objects.get(pk=early.pk).group_line_id == gline.pk
    with pytest.raises(CreditRefused) as err:  # 800 earlier + 150 new > 900 group line
        services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="150.00")
    assert err.value.code == "exceeds_group_line"
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="100.00")
    gline.refresh_from_db()
    assert (gline.outstanding_amount, gline.reserved_amount) == (D("800.00"), D("100.00"))
    assert CreditUse.objects.get(pk=early.pk).group_line_id == gline.pk == use.group_line_id
    services.use_repay(actor=cworld.bj_cm, use_id=early.pk)
    gline.refresh_from_db()
    assert gline.outstanding_amount == 0


def test_a_group_line_smaller_than_the_members_uses_is_not_approved(cworld):
    a = rated_customer(cworld)
    line = active_line(cworld, a, "1000.00")
    services.use_post(actor=cworld.bj_cm, use_id=services.use_reserve(
        actor=cworld.bj_cm, line_id=line.pk, product="loan", amount="700.00").pk)
    group = customer_services.group_create(actor=cworld.bj_office, code="G-X", name="超额集团", org_code="BJ")
    customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=a.pk,
                                       relation="subsidiary")
    gline = services.line_request(actor=cworld.bj_cm, group_id=group.pk, line_amount="500.00")
    with pytest.raises(CreditRefused) as err:
        services.line_approve(actor=cworld.hq_approver, line_id=gline.pk)
    assert err.value.code == "group_line_below_member_uses"
    gline.refresh_from_db()
    assert gline.status == "in_approval" and gline.outstanding_amount == 0
    assert CreditUse.objects.filter(group_line=gline).count() == 0


def _group_with_line(cworld, code, amount):
    group = customer_services.group_create(actor=cworld.bj_office, code=code, name=f"集团{code}", org_code="BJ")
    gline = services.line_request(actor=cworld.bj_cm, group_id=group.pk, line_amount=amount)
    return group, services.line_approve(actor=cworld.hq_approver, line_id=gline.pk)


def _drawn(cworld, amount, posted=True):
    customer = rated_customer(cworld)
    line = active_line(cworld, customer, "1000.00")
    use = services.use_reserve(actor=cworld.bj_cm, line_id=line.pk, product="loan", amount=amount)
    if posted:
        services.use_post(actor=cworld.bj_cm, use_id=use.pk)
    return customer, use


def test_joining_a_group_charges_the_members_uses_to_the_group_line_at_once(cworld):
    group, gline = _group_with_line(cworld, "G-J", "1000.00")
    a, use_a = _drawn(cworld, "600.00")
    b, use_b = _drawn(cworld, "300.00", posted=False)
    for c in (a, b):
        customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=c.pk,
                                           relation="subsidiary")
    gline.refresh_from_db()
    assert (gline.outstanding_amount, gline.reserved_amount) == (D("600.00"), D("300.00"))
    assert {u.group_line_id for u in CreditUse.objects.filter(pk__in=[use_a.pk, use_b.pk])} == {gline.pk}
    assert LineMovement.objects.filter(line=gline, reason_code="member_joined").count() == 2


def test_a_member_whose_uses_do_not_fit_cannot_join(cworld):
    group, gline = _group_with_line(cworld, "G-N", "1000.00")
    a, _use = _drawn(cworld, "600.00")
    customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=a.pk,
                                       relation="subsidiary")
    b, use_b = _drawn(cworld, "400.01")
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(CreditRefused) as err:
        customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=b.pk,
                                           relation="subsidiary")
    assert err.value.code == "group_line_exceeded_by_new_member"
    assert not GroupMembership.objects.filter(customer=b).exists()  # nothing half-written
    assert AuditEvent.objects.count() == audit_rows
    gline.refresh_from_db()
    assert gline.outstanding_amount == D("600.00")
    assert CreditUse.objects.get(pk=use_b.pk).group_line_id is None


def test_leaving_a_group_takes_the_members_uses_off_the_group_line(cworld):
    group, gline = _group_with_line(cworld, "G-O", "1000.00")
    a, use_a = _drawn(cworld, "600.00")
    b, _use_b = _drawn(cworld, "300.00")
    for c in (a, b):
        customer_services.group_add_member(actor=cworld.bj_office, group_id=group.pk, customer_id=c.pk,
                                           relation="subsidiary")
    customer_services.group_remove_member(actor=cworld.bj_office, group_id=group.pk, customer_id=a.pk)
    gline.refresh_from_db()
    assert gline.outstanding_amount == D("300.00")
    assert CreditUse.objects.get(pk=use_a.pk).group_line_id is None
    # a's repayment no longer moves the group line; b's drawing has the room a left
    services.use_repay(actor=cworld.bj_cm, use_id=use_a.pk)
    gline.refresh_from_db()
    assert gline.outstanding_amount == D("300.00")
    lb = CreditLine.objects.filter(customer=b).get()
    services.use_reserve(actor=cworld.bj_cm, line_id=lb.pk, product="loan", amount="700.00")
    gline.refresh_from_db()
    assert gline.outstanding_amount + gline.reserved_amount == D("1000.00")


def test_joining_through_the_api_refused_is_a_409_with_the_reason(cworld):
    from django.test import Client

    from kehu.core import services as core_services

    group, _gline = _group_with_line(cworld, "G-A", "100.00")
    b, _use = _drawn(cworld, "200.00")
    token = core_services.token_create(actor=None, user=cworld.bj_office)
    response = Client().post(f"/api/v1/groups/{group.pk}/members", {"customer_id": b.pk, "relation": "subsidiary"},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "group_line_exceeded_by_new_member"
    assert not GroupMembership.objects.filter(customer=b).exists()
