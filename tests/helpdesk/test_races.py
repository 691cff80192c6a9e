"""Real threads: two approvers signing the same allowance at once produce one approval and one
receivable reduction, never two, and no lost sign-off. Runs on SQLite and PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest
from tests.concurrency import run_together

from kehu.core import services as core_services
from kehu.helpdesk import services
from kehu.helpdesk.models import ReceivableReduction
from kehu.helpdesk.selectors import receivable_reductions


def _users(w):
    for name, org, roles in [("bj_agent", "BJ", ["service_agent"]), ("bj_sales_mgr", "BJ", ["sales_manager"]),
                             ("bj_sales_mgr2", "BJ", ["sales_manager"]), ("hq_fin_mgr", "HQ", ["finance_manager"])]:
        w.users[name] = core_services.user_create(username=name, org_code=org, roles=roles,
                                                  password="Kehu-test-2026", actor=None)


def test_concurrent_approvals_reduce_once(tworld):
    """Two sales managers sign a band-1 allowance at once: one signs, the other finds nothing left."""
    w = tworld
    _users(w)
    customer = w.enterprise()
    t = services.ticket_open(actor=w.users["bj_agent"], customer_id=customer.pk, kind="allowance", subject="x",
                             amount="500.00", invoice_amount="100000.00", evidence_document="doc 1")
    results = run_together([lambda u=u: services.ticket_approve(actor=w.users[u], ticket_id=t.pk)
                            for u in ("bj_sales_mgr", "bj_sales_mgr2")])
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert ReceivableReduction.objects.filter(ticket_id=t.pk).count() == 1
    assert receivable_reductions(customer.pk, until=date(2099, 1, 1)) == Decimal("500.00")


def test_concurrent_sign_offs_of_band_2_both_count(tworld):
    """The sales manager and the finance manager sign a band-2 allowance at the same moment: both sign-offs
    are kept (neither overwrites the other's in ticket.data) and the allowance reduces receivables once."""
    w = tworld
    _users(w)
    customer = w.enterprise()
    t = services.ticket_open(actor=w.users["bj_agent"], customer_id=customer.pk, kind="allowance", subject="x",
                             amount="4000.00", invoice_amount="100000.00", evidence_document="doc 2")
    results = run_together([lambda u=u: services.ticket_approve(actor=w.users[u], ticket_id=t.pk)
                            for u in ("bj_sales_mgr", "hq_fin_mgr")])
    assert [r[0] for r in results] == ["ok", "ok"], results
    t.refresh_from_db()
    assert t.state == "approved" and len(t.data["approval"]["sign_offs"]) == 2
    assert ReceivableReduction.objects.filter(ticket_id=t.pk).count() == 1


pytestmark = pytest.mark.django_db(transaction=True)
