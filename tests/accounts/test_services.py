"""Opening accounts and posting transactions against a real database: limits at the exact boundary, the
day and year rollover at Shanghai midnight, 29 February, gate refusals, the ¥50,000 trigger."""

from datetime import date, timedelta

import pytest
from django.db import connection

from kehu.accounts import services
from kehu.accounts.errors import AccountLimitReached, Class3Suspended, PostingRefused, TxnConflict
from kehu.accounts.events import AccountsEvent
from kehu.accounts.models import AccountTransaction, Breach, PersonalAccount, RemediationTask
from kehu.accounts.selectors import account_usage, class3_total
from kehu.core.errors import InvalidInput, NotFound
from kehu.core.models import AuditEvent, RuleParameter

from .conftest import OPENED, at, open_account, post


def rules_of(account):
    return sorted(Breach.objects.filter(account=account).values_list("txn__txn_id", "rule"))


def test_open_refuses_a_second_class1_and_a_sixth_class2(world, person):
    opened = services.account_open(actor=world.bj_cm, customer_id=person.pk, account_no="A1", tier="I",
                                   opened_on=OPENED, channel="counter", identity_check="face_to_face")
    assert opened.suggest_class2_3 and opened.account.cross_sell_offered
    with pytest.raises(AccountLimitReached):
        open_account(world, person, "I", "A2")
    for n in range(5):
        open_account(world, person, "II", f"B{n}", identity="five_elements", channel="online")
    with pytest.raises(AccountLimitReached):
        open_account(world, person, "II", "B9", identity="five_elements", channel="online")
    assert PersonalAccount.objects.filter(customer=person).count() == 6
    assert AuditEvent.objects.filter(event_code=AccountsEvent.ACCOUNT_OPENED).count() == 6


def test_open_checks_binding_and_identity(world, person):
    with pytest.raises(InvalidInput) as err:
        open_account(world, person, "III", "C1", bound_account_no="", identity="five_elements", channel="online")
    assert err.value.code == "bound_account_required"
    with pytest.raises(InvalidInput) as err:
        open_account(world, person, "III", "C1", identity="esignature", channel="online", bound_same_bank=False)
    assert err.value.code == "bound_same_bank_required"
    with pytest.raises(InvalidInput):
        open_account(world, person, "II", "C1", identity="face_to_face", channel="online")


def test_open_by_new_id_number_creates_the_individual_encrypted(world):
    from kehu.customers.generators import make_resident_id

    number = make_resident_id(world.rng)
    opened = services.account_open(actor=world.bj_cm, id_number=number, name="王小明", account_no="N1", tier="I",
                                   opened_on=OPENED, channel="counter", identity_check="face_to_face")
    customer = opened.account.customer
    assert customer.kind == "individual" and customer.id_number == number
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM customers_customer WHERE id = %s", [customer.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("v1:") and number not in raw
    # the same number again finds the same person
    again = services.account_open(actor=world.bj_cm, id_number=number, name="王小明", account_no="N2", tier="III",
                                  opened_on=OPENED, channel="online", identity_check="five_elements",
                                  bound_account_no="N1", bound_kind="class1", bound_same_bank=True)
    assert again.account.customer_id == customer.pk
    with pytest.raises(InvalidInput):
        services.account_open(actor=world.bj_cm, id_number="110101199001011234", name="x", account_no="N3",
                              tier="I", opened_on=OPENED, channel="counter", identity_check="face_to_face")


def test_class2_day_limit_at_the_exact_boundary_and_rollover_at_shanghai_midnight(world, person):
    acct = open_account(world, person, "II", "II-1")
    post(world, "II-1", "t1", at(2024, 3, 1, 9), "consumption_payment", "6000.00")
    post(world, "II-1", "t2", at(2024, 3, 1, 23, 59, 59), "outbound_nonbound", "4000.00")  # exactly 10,000
    assert rules_of(acct) == []
    post(world, "II-1", "t3", at(2024, 3, 1, 23, 59, 59), "cash_withdrawal", "0.01")  # one fen past
    assert rules_of(acct) == [("t3", "class2_out_day")]
    post(world, "II-1", "t4", at(2024, 3, 2, 0, 0, 0), "consumption_payment", "10000.00")  # a new day
    assert rules_of(acct) == [("t3", "class2_out_day")]
    # exempt types count nowhere
    post(world, "II-1", "t5", at(2024, 3, 2, 10), "bound_out", "50000.00")
    post(world, "II-1", "t6", at(2024, 3, 2, 10), "wealth_buy", "50000.00")
    assert rules_of(acct) == [("t3", "class2_out_day")]


def test_year_rollover_and_29_february(world, person):
    acct = open_account(world, person, "II", "II-2")
    # 20 days of 10,000 in 2024, ending on 29 February: exactly 200,000 for the year.
    start = date(2024, 2, 10)
    for n in range(20):
        d = start + timedelta(days=n)
        post(world, "II-2", f"y{n:02d}", at(d.year, d.month, d.day, 10), "inbound_nonbound", "10000.00")
    assert d == date(2024, 2, 29)
    assert rules_of(acct) == []
    post(world, "II-2", "y-over", at(2024, 12, 31, 23, 59, 59), "cash_deposit", "0.01")
    assert rules_of(acct) == [("y-over", "class2_in_year")]
    # 00:00 on 1 January in Shanghai is 16:00 UTC on 31 December: a new year.
    post(world, "II-2", "y-new", at(2025, 1, 1, 0, 0, 0), "cash_deposit", "10000.00")
    assert rules_of(acct) == [("y-over", "class2_in_year")]
    usage = {u.rule: u.used for u in account_usage(acct, date(2024, 2, 29))}
    assert usage["class2_in_day"] == 1_000_000 and usage["class2_in_year"] == 20_000_001


def test_class3_balance_out_and_cash(world, person):
    acct = open_account(world, person, "III", "III-1", identity="five_elements", channel="online")
    post(world, "III-1", "c1", at(2024, 5, 1, 9), "bound_in", "2000.00")  # balance exactly 2,000
    assert rules_of(acct) == []
    post(world, "III-1", "c2", at(2024, 5, 1, 9, 1), "inbound_nonbound", "0.01")
    post(world, "III-1", "c3", at(2024, 5, 1, 9, 2), "consumption_payment", "2000.01")
    post(world, "III-1", "c4", at(2024, 5, 1, 9, 3), "cash_deposit", "1.00")
    post(world, "III-1", "c5", at(2024, 5, 1, 9, 4), "loan_repay", "5000.00")  # exempt from OUT
    assert rules_of(acct) == [("c2", "class3_balance"), ("c3", "class3_out_day"), ("c4", "class3_cash")]
    acct.refresh_from_db()
    assert acct.balance_fen == 200_000 + 1 - 200_001 + 100 - 500_000


def test_gate_refusal_changes_no_counter(world, person):
    acct = open_account(world, person, "III", "III-G", identity="five_elements", channel="online")
    post(world, "III-G", "g1", at(2024, 6, 1, 9), "bound_in", "1500.00", mode="gate")
    with pytest.raises(PostingRefused) as err:
        post(world, "III-G", "g2", at(2024, 6, 1, 10), "inbound_nonbound", "500.01", mode="gate")
    assert err.value.problems == [{"rule": "class3_balance", "remaining": "500.00"}]
    assert not AccountTransaction.objects.filter(txn_id="g2").exists()
    acct.refresh_from_db()
    assert acct.balance_fen == 150_000
    post(world, "III-G", "g3", at(2024, 6, 1, 10), "inbound_nonbound", "500.00", mode="gate")
    acct.refresh_from_db()
    assert acct.balance_fen == 200_000 and rules_of(acct) == []


def test_posting_is_idempotent_by_txn_id(world, person):
    open_account(world, person, "II", "II-I")
    first = post(world, "II-I", "same", at(2024, 1, 2), "consumption_payment", "12000.00")
    again = post(world, "II-I", "same", at(2024, 1, 2), "consumption_payment", "12000.00")
    assert first.created and not again.created and again.breaches == ["class2_out_day"]
    assert AccountTransaction.objects.filter(txn_id="same").count() == 1
    with pytest.raises(TxnConflict):
        post(world, "II-I", "same", at(2024, 1, 2), "consumption_payment", "12.00")


def test_class3_total_reaching_50000_creates_a_task_due_7_days_later(world, person):
    open_account(world, person, "III", "P1", identity="five_elements", channel="online")
    open_account(world, person, "III", "P2", identity="five_elements", channel="online")
    for d in range(1, 26):  # 25 days x (1,000 in + 1,000 out) across two accounts = 50,000
        post(world, "P1" if d % 2 else "P2", f"in{d:02d}", at(2024, 2, d, 9), "bound_in", "1000.00")
        result = post(world, "P1" if d % 2 else "P2", f"out{d:02d}", at(2024, 2, d, 10), "consumption_payment",
                      "1000.00")
        if d < 25:
            assert result.task is None
    assert class3_total(person.pk) == 5_000_000
    task = RemediationTask.objects.get(customer=person)
    assert task.trigger_txn.txn_id == "out25" and task.trigger_date == date(2024, 2, 25)
    assert task.due_date == date(2024, 3, 3)  # 2024 has a 29 February
    post(world, "P1", "more", at(2024, 2, 26, 9), "bound_in", "1000.00")
    assert RemediationTask.objects.filter(customer=person).count() == 1
    assert AuditEvent.objects.filter(event_code=AccountsEvent.REMEDIATION_CREATED).count() == 1


def test_overdue_task_suspends_class3_in_gate_mode_until_done(world, person):
    open_account(world, person, "III", "S1", identity="five_elements", channel="online")
    post(world, "S1", "s-in", at(2024, 4, 1, 9), "bound_in", "2000.00")
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="1000.00", effective_from=date(2024,
                                 1, 1), status=RuleParameter.Status.APPROVED)
    post(world, "S1", "s-out", at(2024, 4, 1, 10), "bound_out", "500.00")
    task = RemediationTask.objects.get(customer=person)
    assert task.trigger_txn.txn_id == "s-out" and task.due_date == date(2024, 4, 8)
    post(world, "S1", "s-ok", at(2024, 4, 8, 23), "bound_out", "1.00", mode="gate")  # the due day itself
    with pytest.raises(Class3Suspended):
        post(world, "S1", "s-late", at(2024, 4, 9, 0), "bound_out", "1.00", mode="gate")
    with pytest.raises(Class3Suspended):
        open_account(world, person, "III", "S2", identity="five_elements", channel="online")
    services.remediation_complete(actor=world.bj_cm, task_id=task.pk, id_file=b"scan", id_filename="id.jpg",
                                  occupation="教师", address="北京市朝阳区建国路88号", id_expires_on="2035-01-01",
                                  today=date(2024, 4, 9))
    task.refresh_from_db()
    assert task.status == "done" and task.id_document.kind == "identity"
    post(world, "S1", "s-late", at(2024, 4, 9, 0), "bound_out", "1.00", mode="gate")


def test_alert_only_parameter_does_not_suspend(world, person):
    from kehu.accounts.selectors import class3_suspended

    open_account(world, person, "III", "Q1", identity="five_elements", channel="online")
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="10.00",
                                 effective_from=date(2024, 1, 1), status=RuleParameter.Status.APPROVED)
    post(world, "Q1", "q1", at(2024, 4, 1, 9), "bound_in", "10.00")
    assert class3_suspended(person.pk, date(2024, 4, 20))
    RuleParameter.objects.create(code="acct.overdue_action", value="alert", effective_from=date(2024, 1, 1),
                                 status=RuleParameter.Status.APPROVED)
    assert not class3_suspended(person.pk, date(2024, 4, 20))


def test_a_dated_limit_applies_from_its_effective_day(world, person):
    acct = open_account(world, person, "III", "D1", identity="five_elements", channel="online")
    RuleParameter.objects.create(code="acct.class3_out_day", value="5000.00", effective_from=date(2024, 7, 2),
                                 status=RuleParameter.Status.APPROVED)
    post(world, "D1", "d0", at(2024, 7, 1, 8), "bound_in", "2000.00")
    post(world, "D1", "d1", at(2024, 7, 1, 9), "consumption_payment", "2000.01")
    post(world, "D1", "d2", at(2024, 7, 2, 8), "bound_in", "2000.00")
    post(world, "D1", "d3", at(2024, 7, 2, 9), "consumption_payment", "2000.01")
    assert rules_of(acct) == [("d1", "class3_out_day")]


def test_scope_hides_other_branches_accounts(world, person):
    open_account(world, person, "II", "SC1")
    with pytest.raises(NotFound):
        post(world, "SC1", "x", at(2024, 1, 1), "bound_in", "1.00", by=world.sh_cm)
