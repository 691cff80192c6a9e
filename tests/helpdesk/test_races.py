"""Real threads: two supervisors approving the same allowance at once produce one approval and one
receivable reduction, never two. Runs on SQLite and PostgreSQL."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from kehu.core import services as core_services
from kehu.helpdesk import services
from kehu.helpdesk.models import ReceivableReduction
from kehu.helpdesk.selectors import receivable_reductions


def run_together(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", call())
        except Exception as exc:  # the outcome is what the test inspects
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_concurrent_approvals_reduce_once(tworld):
    w = tworld
    for name, roles in [("bj_agent", ["service_agent"]), ("bj_super", ["service_supervisor"]),
                        ("bj_super2", ["service_supervisor"])]:
        w.users[name] = core_services.user_create(username=name, org_code="BJ", roles=roles,
                                                  password="Kehu-test-2026", actor=None)
    customer = w.enterprise()
    t = services.ticket_open(actor=w.users["bj_agent"], customer_id=customer.pk, kind="allowance", subject="x",
                             amount="500.00", invoice_amount="100000.00", evidence_document="doc 1")
    results = run_together([lambda u=u: services.ticket_approve(actor=w.users[u], ticket_id=t.pk)
                            for u in ("bj_super", "bj_super2")])
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert ReceivableReduction.objects.filter(ticket_id=t.pk).count() == 1
    assert receivable_reductions(customer.pk, until=date(2099, 1, 1)) == Decimal("500.00")


pytestmark = pytest.mark.django_db(transaction=True)
