"""Allowances (spec S-12): the approval chain by amount and by share of the invoice, both parameters;
an approved allowance reduces receivables (Hypothesis: the reductions always add up)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.errors import PermissionDenied
from kehu.core.models import RuleParameter
from kehu.helpdesk import rules, services
from kehu.helpdesk.calendar_rules import SHANGHAI
from kehu.helpdesk.models import ReceivableReduction
from kehu.helpdesk.selectors import receivable_reductions

NOW = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("amount, invoice, limit, pct, role", [
    ("100.00", "1000.00", "50000", "10", "service_supervisor"),   # exactly 10 %
    ("100.01", "1000.00", "50000", "10", "finance_officer"),      # just over the share
    ("100.01", "1000.00", "50000", "20", "service_supervisor"),   # a larger share parameter lets it through
    ("50000.00", "10000000.00", "50000", "10", "service_supervisor"),
    ("50000.01", "10000000.00", "50000", "10", "finance_officer"),  # over the amount, tiny share
    ("5.00", "0.00", "50000", "1", "service_supervisor"),          # no invoice amount: amount rule only
])
def test_allowance_chain_table(amount, invoice, limit, pct, role):
    assert rules.allowance_approver_role(Decimal(amount), Decimal(invoice), Decimal(limit), Decimal(pct)) == role


@given(st.decimals("0.01", "1000000", places=2), st.decimals("0.01", "1000000", places=2),
       st.decimals("0", "100", places=1))
def test_allowance_chain_properties(amount, invoice, pct):
    role = rules.allowance_approver_role(amount, invoice, Decimal("50000"), pct)
    over = amount > Decimal("50000") or amount * 100 / invoice > pct
    assert role == ("finance_officer" if over else "service_supervisor")


@pytest.mark.django_db
def test_percentage_is_a_parameter(hworld):
    w = hworld
    t = services.ticket_open(actor=w.bj_agent, customer_id=w.enterprise().pk, kind="allowance", subject="折让",
                             amount="150.00", invoice_amount="1000.00", evidence_document="销货折让证明单")
    with pytest.raises(PermissionDenied):  # 15 % > 10 % default
        services.ticket_approve(actor=w.bj_super, ticket_id=t.pk, now=NOW)
    RuleParameter.objects.create(code="service.allowance_supervisor_percentage", value="20", unit="%",
                                 provenance="proposed", source_ref="test", effective_from=date(2020, 1, 1),
                                 status="approved")
    services.ticket_approve(actor=w.bj_super, ticket_id=t.pk, now=NOW)
    assert receivable_reductions(t.customer_id, until=date(2030, 1, 1)) == Decimal("150.00")


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.decimals("0.01", "4000", places=2), st.booleans()), min_size=1, max_size=5))
def test_reductions_are_the_sum_of_approved_allowances(hworld, allowances):
    w = hworld
    customer = w.enterprise()
    expected = Decimal("0.00")
    for amount, approve in allowances:
        t = services.ticket_open(actor=w.bj_agent, customer_id=customer.pk, kind="allowance", subject="折让",
                                 amount=str(amount), invoice_amount="100000.00", evidence_document="证明单")
        services.ticket_approve(actor=w.bj_super, ticket_id=t.pk, approve=approve, now=NOW)
        expected += amount if approve else 0
    assert receivable_reductions(customer.pk, until=date(2030, 1, 1)) == expected
    assert receivable_reductions(customer.pk, until=date(2025, 11, 2)) == Decimal("0.00")
    assert ReceivableReduction.objects.filter(customer=customer).count() == sum(a for _, a in allowances)
