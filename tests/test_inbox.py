"""Every module's pending work reaches its owner's inbox on the dashboard, through the registry of
kehu.core.inbox, within the user's permissions and data scope."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.test import Client
from django.utils import timezone
from tests._fixtures.credit_world import add_credit_users, rated_customer
from tests.conftest import PASSWORD
from tests.tradecredit.credit_world import add_credit_users as add_trade_users
from tests.tradecredit.credit_world import set_limit

from kehu.core import services as core_services
from kehu.core.inbox import PROVIDERS, inbox_for


def _kinds(user) -> dict:
    return {s.kind: s for s in inbox_for(user)}


def _dashboard(user) -> str:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client.get("/").content.decode()


def test_core_takes_the_inbox_from_the_registry_not_from_customers():
    views = (Path(__file__).resolve().parents[1] / "src" / "kehu" / "core" / "views.py").read_text()
    assert "kehu.customers" not in views
    assert {p.name for p in PROVIDERS} >= {"customers", "credit", "trade", "exposure", "helpdesk"}


def test_credit_lines_and_increases_wait_for_the_approver(world):
    from kehu.credit import services as credit

    add_credit_users(world)
    customer = rated_customer(world)
    line = credit.line_request(actor=world.bj_cm, customer_id=customer.pk, line_amount="1000000.00")
    assert line.routed_org_path == "/HQ/BJ/"  # the lowest level with authority for the amount
    waiting = _kinds(world.bj_approver)["credit_lines"]
    assert waiting.count == 1 and waiting.rows[0].url.endswith(f"/credit/{line.pk}/")
    assert "1,000,000.00" in waiting.rows[0].detail
    assert "credit_lines" not in _kinds(world.bj_cm)  # the requester has no approval inbox
    assert _kinds(world.sh_approver)["credit_lines"].count == 0  # another branch's approver
    assert _kinds(world.hq_approver)["credit_lines"].count == 0  # not routed to the head office
    page = _dashboard(world.bj_approver)
    assert f'href="/credit/{line.pk}/"' in page and customer.name in page

    credit.line_approve(actor=world.bj_approver, line_id=line.pk)
    assert _kinds(world.bj_approver)["credit_lines"].count == 0
    credit.line_adjust(actor=world.bj_cm, line_id=line.pk, line_amount="2000000.00", reason="业务扩大")
    increases = _kinds(world.hq_approver)["credit_increases"]
    assert increases.count == 1 and "2,000,000.00" in increases.rows[0].detail


def test_held_orders_wait_for_the_release_authority(world):
    from kehu.tradecredit import services as trade

    add_trade_users(world)
    firm = world.admit(world.enterprise())
    set_limit(firm, "100000.00", 30)
    order = trade.order_place(actor=world.bj_cm, customer_id=firm.pk, number="SO-1", amount="120000.00")
    assert order.status == "credit_hold" and order.release_authority == "finance_manager"
    assert _kinds(world.hq_fm)["orders_on_hold"].rows[0].url.endswith(f"/trade/orders/{order.pk}/")
    assert _kinds(world.hq_gm)["orders_on_hold"].count == 1
    assert _kinds(world.bj_sm)["orders_on_hold"].count == 0  # above the sales manager's authority
    assert _kinds(world.sh_sm)["orders_on_hold"].count == 0
    assert "orders_on_hold" not in _kinds(world.bj_cm)


def test_tickets_overdue_and_allowances_to_sign(world):
    from kehu.helpdesk import services as helpdesk
    from kehu.helpdesk.models import Ticket

    for name, org, role in (("bj_agent", "BJ", "service_agent"), ("sh_agent", "SH", "service_agent"),
                            ("bj_sales_mgr", "BJ", "sales_manager")):
        world.users[name] = core_services.user_create(username=name, org_code=org, roles=[role], password=PASSWORD,
                                                      actor=None)
    customer = world.admit(world.enterprise())
    late = helpdesk.ticket_open(actor=world.bj_agent, customer_id=customer.pk, kind="enquiry", subject="迟了")
    Ticket.objects.filter(pk=late.pk).update(resolution_due=timezone.now() - timedelta(hours=1))
    helpdesk.ticket_open(actor=world.bj_agent, customer_id=customer.pk, kind="enquiry", subject="不急")
    overdue = _kinds(world.bj_agent)["overdue_tickets"]
    assert [r.url for r in overdue.rows] == [f"/helpdesk/{late.pk}/"]
    assert _kinds(world.sh_agent)["overdue_tickets"].count == 0
    assert "迟了" in _dashboard(world.bj_agent)

    allowance = helpdesk.ticket_open(actor=world.bj_agent, customer_id=customer.pk, kind="allowance",
                                     subject="价格折让", amount="100.00", invoice_amount="100000.00",
                                     evidence_document="买方说明")
    signs = _kinds(world.bj_sales_mgr)["allowances"]
    assert [r.url for r in signs.rows] == [f"/helpdesk/{allowance.pk}/"]


def test_submitted_large_credit_table_waits_for_a_checker_not_its_maker(world):
    from kehu.exposure import services as exposure

    add_credit_users(world)
    period = timezone.localdate().strftime("%Y-%m")
    exposure.month_freeze(actor=world.hq_risk, period=period)
    report = exposure.report_draft(actor=world.hq_risk, period=period, org_code="B0001H211000001", preparer="张三",
                                   phone="010-66668888", reviewer="李四")
    exposure.report_submit(actor=world.hq_risk, report_id=report.pk)
    assert _kinds(world.hq_risk)["reports_to_sign"].count == 0
    rows = _kinds(world.hq_risk2)["reports_to_sign"].rows
    assert [r.url for r in rows] == [f"/exposure/reports/{report.pk}/"]
    assert "reports_to_sign" not in _kinds(world.hq_finance)


def test_consent_waiting_names_the_fields_in_chinese(world):
    from django.utils import translation

    from kehu.customers import services as customer_services

    person = world.individual()
    customer_services.customer_update(actor=world.bj_cm, customer_id=person.pk,
                                      changes={"phone": "13900139000", "address": "北京市海淀区中关村大街1号"})
    with translation.override("zh-hans"):
        consent = _kinds(world.bj_office)["consent"]
        details = [row.detail for row in consent.rows]
    assert details and all("address" not in d and "phone" not in d for d in details)
    assert "电话" in details[0] or "地址" in details[0]
