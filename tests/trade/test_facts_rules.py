"""The pure rules of the trade facts (kehu.trade.rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kehu.trade import rules

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1e9"), places=4)


@given(amounts, quantities, st.data())
def test_a_partial_delivery_ships_its_share_of_the_amount_and_never_more(amount, due, data):
    delivered = data.draw(st.decimals(min_value=Decimal("0"), max_value=due, places=4))
    value = rules.shipped_value(amount, due, delivered)
    assert Decimal("0.00") <= value <= amount
    assert value == value.quantize(Decimal("0.01"))
    assert abs(value - amount * delivered / due) <= Decimal("0.005")
    assert rules.shipped_value(amount, due, due) == amount


def test_nothing_delivered_ships_nothing():
    assert rules.shipped_value(Decimal("100.00"), Decimal("3"), None) == Decimal("0.00")
    assert rules.shipped_value(Decimal("100.00"), Decimal("3"), Decimal("0")) == Decimal("0.00")


def test_a_delivery_problem_names_what_is_wrong():
    day = date(2026, 11, 2)
    assert rules.delivery_problem(Decimal("5"), day, Decimal("6")) == "over_delivery"
    assert rules.delivery_problem(Decimal("5"), None, Decimal("2")) == "delivered_on_missing"
    assert rules.delivery_problem(Decimal("5"), day, None) == "quantity_delivered_missing"
    assert rules.delivery_problem(Decimal("5"), day, Decimal("5")) is None
    assert rules.delivery_problem(Decimal("5"), None, None) is None
