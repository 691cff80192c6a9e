"""Demo service data built through the services on top of the customers demo: an agent and a supervisor
in the head office, complaints at every stage (one extended for a financial consumer, one paused), returns
and allowances (approved ones become receivable reductions), enquiries, and a few knowledge articles.
Allowances are signed by the head office's sales manager, finance manager and general manager as their
band requires (S-12). ``load_demo_helpdesk(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.audit import seal_at_end
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.helpdesk import services
from kehu.helpdesk.models import KnowledgeArticle, Ticket

DEMO_PASSWORD = "Kehu-Demo-2026"
# categories are free text that agents type in Chinese; the analysis page shows them as they are
CATEGORIES = ["到货延迟", "质量问题", "开票差错", "服务态度", "单据资料"]
ROOT_CAUSES = ["承运商延误", "包装不当", "开票信息录入错误", "生产批次缺陷", "沟通不及时"]
PRODUCTS = ["铜杆", "铝锭", "锌合金", "电解铜"]
ARTICLES = [
    ("退货流程", "收到退货申请后三个工作日内答复；质量问题由质检部门出具报告。", "退货 return"),
    ("价格折让凭证", "买方须提供书面折让申请及相关发票复印件。", "折让 allowance"),
    ("投诉处理时限", "金融消费者投诉自受理之日起15日内作出处理决定，情况复杂的可延长。", "投诉 complaint"),
]


def _user(username, org, role):
    user = User.objects.filter(username=username).first()
    return user or core_services.user_create(username=username, org_code=org, roles=[role], password=DEMO_PASSWORD,
                                             actor=None)


def _walk_return(rng, ticket, agent, finance) -> None:
    """Move an authorised return some way along S-11: goods received, inspected, a disposition, and for a
    refund the credit note issued by finance."""
    steps = rng.randint(0, 4)
    for to in ("goods_received", "inspected")[:steps]:
        services.ticket_transition(actor=agent, ticket_id=ticket.pk, to=to)
    if steps >= 3:
        disposition = rng.choice(["rework", "replace", "refund"])
        services.ticket_transition(actor=agent, ticket_id=ticket.pk, to="dispositioned", disposition=disposition)
        if steps == 4:
            if disposition == "refund":
                services.return_credit_note(actor=finance, ticket_id=ticket.pk)
            services.ticket_transition(actor=agent, ticket_id=ticket.pk, to="closed")


def load_demo_helpdesk(rng: random.Random) -> dict:
    with transaction.atomic(), seal_at_end():  # the audit rows sealed once, at the end: the same chain
        if Ticket.objects.exists():
            return {"created": False}
        customers = list(Customer.objects.order_by("pk")[:30])
        if not customers:
            return {"created": False, "reason": "load the customers demo first"}
        agent = _user("hq_agent1", "HQ", "service_agent")
        agent2 = _user("hq_agent2", "HQ", "service_agent")
        supervisor = _user("hq_service_sup", "HQ", "service_supervisor")
        finance = _user("hq_service_fin", "HQ", "finance_officer")
        # allowance sign-offs (S-12); the trade-credit demo reuses hq_finance_mgr and hq_gm by name
        signers = {"sales_manager": _user("hq_sales_mgr", "HQ", "sales_manager"),
                   "finance_manager": _user("hq_finance_mgr", "HQ", "finance_manager"),
                   "general_manager": _user("hq_gm", "HQ", "general_manager")}
        for title, body, tags in ARTICLES:
            KnowledgeArticle.objects.create(title=title, body=body, tags=tags)
    now = timezone.now()
    made = 0
    for i, customer in enumerate(customers):
        start = now - timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 8))
        t = services.ticket_open(actor=agent, customer_id=customer.pk, kind="complaint", now=start,
                                 subject=rng.choice(["到货延迟", "包装破损", "发票错误", "规格不符"]),
                                 category=rng.choice(CATEGORIES), root_cause=rng.choice(ROOT_CAUSES),
                                 product=rng.choice(PRODUCTS),
                                 financial_consumer=i % 7 == 0, subject_user_id=agent2.pk if i % 9 == 0 else None)
        made += 1
        path = ["acknowledged", "investigating", "resolution_proposed"][: rng.randint(0, 3)]
        for to in path:
            services.ticket_transition(actor=agent, ticket_id=t.pk, to=to, now=start + timedelta(hours=1))
        if path and path[-1] == "resolution_proposed" and rng.random() < 0.6:
            services.ticket_approve(actor=supervisor, ticket_id=t.pk)
            for to in ("communicated", "closed"):
                services.ticket_transition(actor=agent, ticket_id=t.pk, to=to)
        elif path and path[-1] == "investigating" and i % 7 == 0:
            services.ticket_transition(actor=agent, ticket_id=t.pk, to="extended_30", reason="需第三方检测报告")
        elif path and rng.random() < 0.2:
            services.ticket_pause(actor=agent, ticket_id=t.pk, reason="等待客户提供样品")
        if i % 4 == 0:
            kind = "allowance" if i % 8 == 0 else "return"
            r = services.ticket_open(actor=agent, customer_id=customer.pk, kind=kind, subject="价格折让" if kind ==
                                     "allowance" else "退货", amount=f"{rng.randint(1, 40) * 1000}.00",
                                     invoice_amount="1000000.00", evidence_document="买方折让申请函")
            made += 1
            if kind == "allowance":
                # most get every sign-off their band needs; the others wait for the last one
                required = r.data["approval"]["required"]
                for role in required[:len(required) if rng.random() < 0.7 else len(required) - 1]:
                    services.ticket_approve(actor=signers[role], ticket_id=r.pk, role=role)
            elif rng.random() < 0.7 and r.amount <= Decimal("10000.00"):
                services.ticket_approve(actor=supervisor, ticket_id=r.pk)
                _walk_return(rng, r, agent, finance)
    return {"created": True, "tickets": made}
