"""Individuals' names are masked wherever the archive masks them: order headings and lists, credit lines,
the helpdesk analysis (table and chart) and its repeat complaints."""

from __future__ import annotations

from django.test import Client
from tests._fixtures.credit_world import add_credit_users
from tests.conftest import PASSWORD
from tests.tradecredit.credit_world import add_credit_users as add_trade_users
from tests.tradecredit.credit_world import set_limit

from kehu.core import services as core_services

NAME = "王小明"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_orders_and_trade_credit_mask_an_individual(world):
    from kehu.tradecredit import services as trade

    add_trade_users(world)
    person = world.admit(world.individual(name=NAME))
    set_limit(person, "100000.00", 30)
    order = trade.order_place(actor=world.bj_cm, customer_id=person.pk, number="SO-1", amount="120000.00")
    client = client_for(world.bj_cm)
    for url in (f"/trade/orders/{order.pk}/", "/trade/orders/", f"/trade/customer/{person.pk}/credit/"):
        page = client.get(url).content.decode()
        assert NAME not in page and "王**" in page, url


def test_credit_lines_mask_an_individual(world):
    from kehu.credit import services as credit

    add_credit_users(world)
    person = world.admit(world.individual(name=NAME))
    credit.rating_record(actor=world.hq_risk, customer_id=person.pk, rating="A")
    line = credit.line_request(actor=world.bj_cm, customer_id=person.pk, line_amount="100000.00")
    for client, url in ((client_for(world.bj_cm), f"/credit/{line.pk}/"), (client_for(world.bj_approver), "/credit/")):
        page = client.get(url).content.decode()
        assert NAME not in page and "王**" in page, url


def test_helpdesk_analysis_masks_an_individual(world):
    from kehu.helpdesk import services as helpdesk

    agent = core_services.user_create(username="bj_agent", org_code="BJ", roles=["service_agent"], password=PASSWORD,
                                      actor=None)
    person = world.individual(name=NAME)
    for _ in range(2):
        helpdesk.ticket_open(actor=agent, customer_id=person.pk, kind="complaint", subject="质量", category="质量问题")
    page = client_for(agent).get("/helpdesk/analysis/").content.decode()
    assert NAME not in page and "王**" in page
