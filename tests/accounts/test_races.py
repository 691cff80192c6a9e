"""Gate-mode postings under concurrency: real threads, and a property over random races — no interleaving
lets two postings pass a limit that only one of them fits, and a refused posting changes no counter."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.concurrency import run_together

from kehu.accounts.errors import PostingRefused
from kehu.accounts.models import AccountTransaction, PersonalAccount

from .conftest import at, open_account, post


def _gate(world, account_no, txn_id, txn_type, amount, when=None):
    return lambda: post(world, account_no, txn_id, when or at(2024, 2, 29, 10), txn_type, amount, mode="gate")


def test_eight_threads_on_one_class3_account_only_the_room_passes(tworld):
    person = tworld.individual()
    open_account(tworld, person, "III", "R3", identity="five_elements", channel="online")
    post(tworld, "R3", "seed", at(2024, 2, 29, 9), "bound_in", "1500.00", mode="gate")
    # room for 500.00 of balance: each of eight inflows of 300.00 fits alone, only one fits with the others
    results = run_together([_gate(tworld, "R3", f"r{i}", "inbound_nonbound", "300.00") for i in range(8)])
    ok = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "error"]
    assert len(ok) == 1, results
    assert all(isinstance(e, PostingRefused) for _k, e in refused)
    account = PersonalAccount.objects.get(account_no="R3")
    assert account.balance_fen == 180_000
    assert AccountTransaction.objects.filter(account=account).count() == 2


def test_two_class3_accounts_of_one_person_raise_one_task(tworld):
    from kehu.accounts.models import RemediationTask
    from kehu.core.models import RuleParameter

    person = tworld.individual()
    open_account(tworld, person, "III", "T1", identity="five_elements", channel="online")
    open_account(tworld, person, "III", "T2", identity="five_elements", channel="online")
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="100.00",
                                 effective_from=date(2020, 1, 1), status=RuleParameter.Status.APPROVED)
    results = run_together([_gate(tworld, no, f"x{i}{no}", "bound_in", "100.00") for i in range(3)
                            for no in ("T1", "T2")])
    assert all(r[0] == "ok" for r in results), results
    assert RemediationTask.objects.filter(customer=person).count() == 1


OUT_TYPES = ["consumption_payment", "outbound_nonbound", "cash_withdrawal"]


@pytest.mark.django_db(transaction=True)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(amounts=st.lists(st.integers(100_000, 1_000_000), min_size=2, max_size=4),
       kinds=st.lists(st.sampled_from(OUT_TYPES), min_size=4, max_size=4),
       used=st.integers(0, 900_000))
def test_no_interleaving_passes_a_class2_day_limit(amounts, kinds, used):
    from tests.conftest import build_world

    from kehu.core.models import OrgUnit

    if not OrgUnit.objects.exists():
        build_world()
    from tests.conftest import World

    from kehu.core.models import User

    world = World(users={u.username: u for u in User.objects.all()})
    AccountTransaction.objects.all().delete()
    PersonalAccount.objects.all().delete()
    from kehu.customers.models import Customer

    person = Customer.objects.filter(kind="individual").first() or world.individual()
    open_account(world, person, "II", "H2")
    if used:
        post(world, "H2", "h-seed", at(2024, 2, 29, 8), "consumption_payment", f"{used / 100:.2f}", mode="gate")
    calls = [_gate(world, "H2", f"h{i}", kinds[i], f"{a / 100:.2f}") for i, a in enumerate(amounts)]
    results = run_together(calls)
    passed = [a for a, r in zip(amounts, results, strict=True) if r[0] == "ok"]
    for kind, value in results:
        assert kind == "ok" or isinstance(value, PostingRefused), value
    total = AccountTransaction.objects.filter(account__account_no="H2", bucket="out").aggregate(s=Sum("amount_fen"))["s"]
    # the counter is exactly what passed, and never past the ¥10,000 limit
    assert total == used + sum(passed)
    assert total <= 1_000_000
    # and it is greedy-maximal: every refused posting would not have fit after those that passed
    for amount, (kind, _v) in zip(amounts, results, strict=True):
        if kind == "error":
            assert total + amount > 1_000_000
