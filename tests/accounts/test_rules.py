"""The pure limit rules: exact boundaries, buckets and exemptions, the ¥50,000 trigger."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kehu.accounts import rules
from kehu.accounts.rules import Counters, Limits

LIMITS = Limits(class2_in_day=1_000_000, class2_in_year=20_000_000, class2_out_day=1_000_000,
                class2_out_year=20_000_000, class3_balance=200_000, class3_out_day=200_000, class3_out_year=5_000_000,
                class3_in_day=500_000, class3_in_year=10_000_000)


def names(**kw):
    return [v.rule for v in rules.check(limits=LIMITS, face_to_face=True, **kw)]


def test_reaching_a_limit_exactly_is_allowed_and_one_fen_more_is_not():
    assert names(tier="II", txn_type="consumption_payment", amount=1_000_000, counters=Counters()) == []
    assert names(tier="II", txn_type="consumption_payment", amount=1, counters=Counters(day=1_000_000,
                                                                                     year=1_000_000)) \
        == ["class2_out_day"]
    assert names(tier="III", txn_type="inbound_nonbound", amount=200_000, counters=Counters()) == []
    assert names(tier="III", txn_type="inbound_nonbound", amount=200_001, counters=Counters()) == ["class3_balance"]


def test_exempt_types_count_toward_no_bucket():
    for tier in ("II", "III"):
        for txn_type in ("bound_in", "bound_out", "wealth_buy", "wealth_redeem", "loan_disburse", "loan_repay"):
            assert rules.bucket_of(tier, txn_type) == ""
    assert names(tier="III", txn_type="loan_repay", amount=9_000_000, counters=Counters(day=200_000,
                                                                                     year=5_000_000)) == []
    # A loan paid into a Class III account still respects the balance cap (16号).
    assert names(tier="III", txn_type="loan_disburse", amount=200_001, counters=Counters()) == ["class3_balance"]


def test_cash_rules():
    assert rules.check(tier="II", txn_type="cash_deposit", amount=100, face_to_face=False, counters=Counters(),
                       limits=LIMITS)[0].rule == "class2_cash_without_f2f"
    assert names(tier="II", txn_type="cash_withdrawal", amount=100, counters=Counters()) == []
    assert names(tier="III", txn_type="cash_withdrawal", amount=100, counters=Counters()) == ["class3_cash"]


def test_class1_has_no_limits():
    assert names(tier="I", txn_type="cash_withdrawal", amount=10**12, counters=Counters()) == []


@given(used=st.integers(0, 30_000_000), amount=st.integers(1, 30_000_000))
def test_a_counter_breaks_exactly_when_it_goes_past_the_limit(used, amount):
    got = names(tier="II", txn_type="outbound_nonbound", amount=amount, counters=Counters(day=used, year=used))
    assert ("class2_out_day" in got) == (used + amount > LIMITS.class2_out_day)
    assert ("class2_out_year" in got) == (used + amount > LIMITS.class2_out_year)
    for v in rules.check(tier="II", txn_type="outbound_nonbound", amount=amount, face_to_face=True,
                         counters=Counters(day=used, year=used), limits=LIMITS):
        assert v.remaining == max(0, v.limit - used)


@given(st.lists(st.integers(1, 2_000_000), min_size=1, max_size=60))
def test_the_trigger_fires_once_at_the_first_transaction_reaching_the_threshold(amounts):
    threshold = 5_000_000
    total = 0
    fired = []
    for index, amount in enumerate(amounts):
        if not fired and rules.trigger_reached(total_before=total, amount=amount, threshold=threshold):
            fired.append(index)
        total += amount
    assert len(fired) == (1 if total >= threshold else 0)
    if fired:
        assert sum(amounts[: fired[0]]) < threshold <= sum(amounts[: fired[0] + 1])


def test_local_day_is_the_shanghai_calendar():
    utc = UTC
    assert rules.local_day(datetime(2024, 2, 28, 15, 59, 59, tzinfo=utc)) == date(2024, 2, 28)
    assert rules.local_day(datetime(2024, 2, 28, 16, 0, 0, tzinfo=utc)) == date(2024, 2, 29)
    assert rules.local_day(datetime(2024, 12, 31, 16, 0, 0, tzinfo=utc)) == date(2025, 1, 1)
    assert rules.due_date(date(2024, 2, 25), 7) == date(2024, 3, 3)
    assert rules.due_date(date(2023, 2, 25), 7) == date(2023, 3, 4)


def test_amounts_are_parsed_exactly():
    assert rules.amount_to_fen("10000") == 1_000_000
    assert rules.amount_to_fen("0.01") == 1
    for bad in ("0", "-1", "1.001", "abc", "NaN", "Infinity", "", "1e3", "+5", "１２"):
        try:
            rules.amount_to_fen(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_parse_posted_at_requires_an_offset():
    assert rules.parse_posted_at("2026-01-05T09:30:00+08:00") == datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    assert rules.parse_posted_at("2026-01-05T01:30:00Z").utcoffset() == timedelta(0)
    for bad in ("2026-01-05T09:30:00", "2026-02-30T00:00:00+08:00", "yesterday", "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-12:00"):
        try:
            rules.parse_posted_at(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
