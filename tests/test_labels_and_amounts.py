"""Codes are shown by their meaning and amounts in one format (thousands separators, two decimals): the
credit line's formula proposal says which bound it took, concentration alerts name the limit, not its
parameter code."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone
from tests._fixtures.credit_world import active_line, add_credit_users, rated_customer

from kehu.credit import services as credit


def zh_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_credit_detail_names_the_binding_bound_and_formats_amounts(world):
    add_credit_users(world)
    customer = rated_customer(world)
    line = credit.line_request(actor=world.bj_cm, customer_id=customer.pk, line_amount="1234567.5",
                               formula_inputs={"equity": "100000000.00"})
    assert line.proposal["binding"] == "requested"
    page = zh_client(world.bj_cm).get(f"/credit/{line.pk}/").content.decode()
    assert "1,234,567.50" in page
    assert "约束条件: 申请金额" in page and ": requested" not in page
    listing = zh_client(world.bj_approver).get("/credit/").content.decode()
    assert "1,234,567.50" in listing and "1234567.50" not in listing


def test_concentration_alerts_name_the_limit(world):
    from kehu.exposure import services as exposure

    add_credit_users(world)
    big = rated_customer(world)
    line = active_line(world, big, "900000000.00", sub_limits={"loan": "900000000.00"})
    use = credit.use_reserve(actor=world.bj_cm, line_id=line.pk, product="loan", amount="200000000.00")
    credit.use_post(actor=world.bj_cm, use_id=use.pk)
    period = timezone.localdate().strftime("%Y-%m")
    exposure.capital_base_record(actor=world.hq_finance, as_of=timezone.localdate().replace(day=1),
                                 capital_amount="1000000000.00", net_capital_amount="1000000000.00",
                                 tier1_net_amount="1000000000.00")
    exposure.month_freeze(actor=world.hq_risk, period=period)
    alerts = exposure.concentration_check(actor=world.hq_risk, period=period)
    assert alerts
    page = zh_client(world.hq_risk).get("/exposure/").content.decode()
    assert "limit.single_borrower_loan_pct_capital</td>" not in page and ">limit." not in page
    assert "资本净额" in page
    assert "200,000,000.00" in page
