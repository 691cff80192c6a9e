"""Allowance approval bands of domain spec S-12, without a database: the band is the lowest one whose
amount AND share of the invoice the allowance both stays within (edges inclusive), and a larger allowance
never needs fewer or lower sign-offs."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.helpdesk import rules

S12 = [(Decimal("10000.00"), Decimal("1")), (Decimal("100000.00"), Decimal("5"))]


@pytest.mark.parametrize("amount, invoice, band", [
    ("10000.00", "1000000.00", 1),    # both band-1 edges exactly: 1 per cent and ¥10,000
    ("10000.01", "1000000000.00", 2),  # a tiny share but over ¥10,000: up a band
    ("100.01", "10000.00", 2),         # under ¥10,000 but just over 1 per cent: up a band
    ("9000.00", "10000.00", 3),        # the literal "or" would give the sales manager 90 per cent of an invoice
    ("100000.00", "2000000.00", 2),    # both band-2 edges exactly: 5 per cent and ¥100,000
    ("100000.01", "100000000.00", 3),  # over ¥100,000 at 0.1 per cent
    ("500.01", "10000.00", 3),         # 5.0001 per cent
    ("0.00", "100.00", 1),
    ("1.00", "0.00", 3),               # no invoice amount: the share is unknown, only the top band is safe
    ("1.00", None, 3),
])
def test_band_table(amount, invoice, band):
    assert rules.allowance_band(Decimal(amount), Decimal(invoice) if invoice else None, S12) == band


def test_sign_offs_per_band_form_a_chain():
    assert rules.allowance_sign_offs(1) == ("sales_manager",)
    assert rules.allowance_sign_offs(2) == ("sales_manager", "finance_manager")
    assert rules.allowance_sign_offs(3) == ("sales_manager", "finance_manager", "general_manager")


def test_band_thresholds_are_parameters():
    wider = [(Decimal("50000"), Decimal("10")), (Decimal("100000"), Decimal("20"))]
    assert rules.allowance_band(Decimal("15000"), Decimal("200000"), S12) == 3
    assert rules.allowance_band(Decimal("15000"), Decimal("200000"), wider) == 1


def test_signable_roles():
    required = rules.allowance_sign_offs(2)
    given_ = [{"user": 7, "role": "sales_manager"}]
    # the sales manager has signed: a finance manager may sign, the same person never again
    assert rules.allowance_signable_roles(required=required, sign_offs=given_, actor_id=8,
                                          actor_roles={"finance_manager"}, barred_ids=set()) == ["finance_manager"]
    assert rules.allowance_signable_roles(required=required, sign_offs=given_, actor_id=7,
                                          actor_roles={"sales_manager", "finance_manager"}, barred_ids=set()) == []
    # a second sales manager has nothing left to sign; the requester never signs
    assert rules.allowance_signable_roles(required=required, sign_offs=given_, actor_id=9,
                                          actor_roles={"sales_manager"}, barred_ids=set()) == []
    assert rules.allowance_signable_roles(required=required, sign_offs=[], actor_id=9,
                                          actor_roles={"sales_manager"}, barred_ids={9}) == []
    assert rules.allowance_outstanding(required, ["finance_manager"]) == ["sales_manager"]


money = st.decimals("0.00", "10000000.00", places=2)
percentage = st.decimals("0", "100", places=2)


@given(a=money, b=money, invoice=st.one_of(st.none(), money),
       limits=st.lists(st.tuples(money, percentage), min_size=2, max_size=2))
def test_bigger_allowance_never_needs_fewer_or_lower_sign_offs(a, b, invoice, limits):
    small, big = sorted((a, b))
    low, high = rules.allowance_band(small, invoice, limits), rules.allowance_band(big, invoice, limits)
    assert low <= high
    assert set(rules.allowance_sign_offs(low)) <= set(rules.allowance_sign_offs(high))


@given(invoice=st.decimals("0.01", "10000000.00", places=2), amount=money)
def test_band_matches_its_definition(invoice, amount):
    band = rules.allowance_band(amount, invoice, S12)
    fits = [amount <= a and amount * 100 / invoice <= p for a, p in S12]
    expected = next((i + 1 for i, ok in enumerate(fits) if ok), 3)
    assert band == expected


@given(invoice=st.decimals("0.01", "10000000.00", places=2))
def test_band_edges_are_inclusive(invoice):
    for index, (max_amount, max_pct) in enumerate(S12, start=1):
        # the largest whole-cent allowance within both limits of this band stays in it (or a lower band)
        edge = min(max_amount, (max_pct * invoice / 100).quantize(Decimal("0.01"), rounding="ROUND_FLOOR"))
        assert rules.allowance_band(edge, invoice, S12) <= index
        assert rules.allowance_band(edge + Decimal("0.01"), invoice, S12) > index
