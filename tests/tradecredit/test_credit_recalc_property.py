"""Hypothesis against the real database: the recalculation's SQL computes exactly the Python formula, applies
only decreases, and proposes every increase for approval (L-2, L-6)."""

from __future__ import annotations

from decimal import Decimal as D

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.tradecredit.credit_world import P, grade, months_before, set_limit

from kehu.trade.models import SalesRecord
from kehu.tradecredit import rules, services
from kehu.tradecredit.models import CreditAccount, LimitChange
from kehu.tradecredit.services.limits import limit_policy

month_amount = st.one_of(st.none(), st.decimals(min_value=D("-5000"), max_value=D("900000000"), places=2))
customer_case = st.fixed_dictionaries({
    "grade": st.sampled_from("ABCDE"),
    "months": st.lists(month_amount, min_size=12, max_size=12),
    "extra": st.lists(st.tuples(st.integers(0, 11), st.decimals(min_value=D("0.01"), max_value=D("99999.99"),
                                                                 places=2)), max_size=3),
    "limit": st.one_of(st.none(), st.decimals(min_value=D(0), max_value=D("5000000000"), places=2)),
    "term": st.integers(0, 90),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(customer_case, min_size=3, max_size=3))
def test_recalc_matches_the_formula_and_never_raises_without_approval(cw, cases):
    customers = _customers(cw)
    policy = limit_policy(P)
    with transaction.atomic():
        expected = {}
        for customer, case in zip(customers, cases, strict=True):
            rows, by_month = [], {}
            for back, amount in enumerate(case["months"], start=1):
                if amount is not None:
                    rows.append((back, amount))
            rows += [(b + 1, a) for b, a in case["extra"]]
            for n, (back, amount) in enumerate(rows):
                month = months_before(P, back)
                SalesRecord.objects.create(customer=customer, period=month, amount=amount,
                                           reference=f"H-{customer.pk}-{n}")
                by_month[month] = by_month.get(month, D(0)) + amount
            positive = [v for v in by_month.values() if v > 0]
            total, months = sum(positive, D(0)), len(positive)
            grade(customer, case["grade"])
            old_amount, old_term = D("0.00"), 0
            if case["limit"] is not None:
                set_limit(customer, case["limit"], case["term"])
                old_amount, old_term = case["limit"], case["term"]
            if customer.kind in policy.no_credit_kinds or months < policy.min_sales_months:
                new = D("0.00")
            else:
                new = rules.credit_limit_from_sales(sales_total=total, months_with_sales=months,
                                                    grade=case["grade"], coef_by_grade=policy.coef_by_grade,
                                                    term_by_grade=policy.term_by_grade,
                                                    seasonal_factor=policy.seasonal_factor)
            new_term = policy.term_by_grade.get(case["grade"], 0) if new > 0 else 0
            expected[customer.pk] = (old_amount, old_term, new, new_term)
        services.credit_limits_recalculate(actor=None, period=P, chunk_size=2)
        for customer_id, (old_amount, old_term, new, new_term) in expected.items():
            account = CreditAccount.objects.get(customer_id=customer_id)
            assert account.limit_amount <= old_amount and account.term_days <= old_term
            assert (account.limit_amount, account.term_days) == (min(old_amount, new), min(old_term, new_term))
            pending = list(LimitChange.objects.filter(account=account, status="pending"))
            if new > old_amount or new_term > old_term:
                assert [(c.proposed_amount, c.term_days) for c in pending] == [(new, new_term)]
            else:
                assert pending == []
        transaction.set_rollback(True)


_made: dict[int, list] = {}


def _customers(world):
    key = id(world)
    if key not in _made:
        _made.clear()
        _made[key] = [world.enterprise(), world.enterprise(), world.enterprise(kind="scattered", uscc=None,
                                                                              name="零散买家")]
    return _made[key]
