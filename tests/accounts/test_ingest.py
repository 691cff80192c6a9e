"""The set-based ingest against the one-by-one posting service, bad rows, idempotency, the CLI files."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from kehu.accounts import services
from kehu.accounts.ingest import ingest
from kehu.accounts.models import AccountTransaction, Breach, PersonalAccount, RemediationTask
from kehu.accounts.rules import DIRECTION_OF, SHANGHAI
from kehu.core.models import RuleParameter

from .conftest import open_account

TYPES = list(DIRECTION_OF)
HEADER = ["txn_id", "account_no", "posted_at", "direction", "type", "amount"]


def make_accounts(world, people=3):
    nos = []
    for p in range(people):
        person = world.individual()
        open_account(world, person, "I", f"P{p}-I")
        open_account(world, person, "II", f"P{p}-II", identity="five_elements" if p % 2 else "face_to_face",
                     channel="online" if p % 2 else "counter")
        open_account(world, person, "III", f"P{p}-IIIa", identity="five_elements", channel="online")
        open_account(world, person, "III", f"P{p}-IIIb", identity="five_elements", channel="online")
        nos += [f"P{p}-I", f"P{p}-II", f"P{p}-IIIa", f"P{p}-IIIb"]
    return nos


def make_rows(nos, n, seed=7):
    """Transactions bunched around Shanghai midnights, 29 February 2024 and new year, with equal times."""
    rng = random.Random(seed)
    anchors = [datetime(2023, 12, 31, 23, 0, tzinfo=SHANGHAI), datetime(2024, 2, 28, 23, 0, tzinfo=SHANGHAI),
               datetime(2024, 2, 29, 23, 30, tzinfo=SHANGHAI)]
    rows = []
    for i in range(n):
        when = rng.choice(anchors) + timedelta(minutes=rng.randrange(0, 150, 15))
        txn_type = rng.choice(TYPES)
        amount = rng.choice(["0.01", "500.00", "1999.99", "2000.00", "2500.50", "4000.00", "9999.99", "10000.00"])
        offset = rng.choice(["+08:00", "Z"])
        stamp = when.isoformat() if offset == "+08:00" else when.astimezone(SHANGHAI.__class__("UTC")).isoformat()
        if offset == "Z":
            stamp = stamp.replace("+00:00", "Z")
        rows.append([f"T{rng.randrange(10**6):06d}-{i:04d}", rng.choice(nos), stamp, DIRECTION_OF[txn_type], txn_type,
                     amount])
    return rows


def write(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def snapshot():
    return {
        "breaches": sorted(Breach.objects.values_list("txn__txn_id", "rule")),
        "tasks": sorted(RemediationTask.objects.values_list("customer_id", "trigger_txn__txn_id", "trigger_date",
                                                            "due_date", "total_fen")),
        "balances": sorted(PersonalAccount.objects.values_list("account_no", "balance_fen")),
        "txns": AccountTransaction.objects.count(),
    }


def reset():
    RemediationTask.objects.all().delete()
    Breach.objects.all().delete()
    AccountTransaction.objects.all().delete()
    PersonalAccount.objects.update(balance_fen=0)


def post_one_by_one(rows):
    """The reference: each row through the posting service, in posted_at then txn_id order."""
    parsed = [services.parse_txn(txn_id=r[0], account_no=r[1], posted_at=r[2], direction=r[3], type=r[4],
                                 amount=r[5]) for r in rows]
    for txn in sorted(parsed, key=lambda t: (t.posted_at, t.txn_id)):
        services.transaction_post(actor=None, txn=txn, mode="monitoring")


def test_ingest_gives_what_posting_one_by_one_gives(world, tmp_path):
    nos = make_accounts(world)
    # a low trigger so that several people reach it inside the sample
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="8000.00",
                                 effective_from=date(2020, 1, 1), status=RuleParameter.Status.APPROVED)
    rows = make_rows(nos, 400)
    run = ingest(write(tmp_path / "t.csv", rows))
    assert (run.rows_total, run.rows_new, run.rows_rejected) == (400, 400, 0)
    got = snapshot()
    assert got["breaches"] and got["tasks"]
    assert {r for _t, r in got["breaches"]} >= {"class2_in_day", "class3_balance", "class3_cash", "class3_out_day"}
    reset()
    post_one_by_one(rows)
    assert snapshot() == got


def test_ingest_in_two_files_equals_one_file(world, tmp_path):
    nos = make_accounts(world)
    rows = make_rows(nos, 300, seed=11)
    ingest(write(tmp_path / "all.csv", rows))
    whole = snapshot()
    reset()
    # the second file has rows earlier than the first's: counters, balances and breaches of the accounts
    # touched are recomputed from all their rows; a task already raised stays as it was raised
    ingest(write(tmp_path / "a.csv", rows[::2]))
    ingest(write(tmp_path / "b.csv", rows[1::2]))
    mixed = snapshot()
    assert {k: v for k, v in mixed.items() if k != "tasks"} == {k: v for k, v in whole.items() if k != "tasks"}
    # files in time order give exactly the one file's result, tasks included
    reset()
    ordered = sorted(rows, key=lambda r: (services.parse_txn(txn_id=r[0], account_no=r[1], posted_at=r[2],
                                                             direction=r[3], type=r[4], amount=r[5]).posted_at, r[0]))
    ingest(write(tmp_path / "c.csv", ordered[:150]))
    ingest(write(tmp_path / "d.csv", ordered[150:]))
    assert snapshot() == whole


def test_rerun_is_idempotent_and_bad_rows_go_to_the_error_file(world, tmp_path):
    nos = make_accounts(world, people=1)
    rows = make_rows(nos, 50, seed=3)
    bad = [
        ["B1", nos[1], "2024-02-29T10:00:00", "in", "cash_deposit", "1.00"],  # no offset
        ["B2", nos[1], "2024-02-30T10:00:00+08:00", "in", "cash_deposit", "1.00"],
        ["B3", nos[1], "2024-02-29T10:00:00+08:00", "out", "cash_deposit", "1.00"],
        ["B4", nos[1], "2024-02-29T10:00:00+08:00", "in", "cash_deposit", "1.001"],
        ["B5", nos[1], "2024-02-29T10:00:00+08:00", "in", "cash_deposit", "-1"],
        ["B6", "NOPE", "2024-02-29T10:00:00+08:00", "in", "cash_deposit", "1.00"],
        ["B7", nos[1], "2019-12-31T10:00:00+08:00", "in", "cash_deposit", "1.00"],
        [rows[0][0], *rows[0][1:]],  # the same txn_id again in the file
        ["B9", nos[1], "2024-02-29T10:00:00+08:00", "in", "gift", "1.00"],
        ["B10", nos[1]],
    ]
    run = ingest(write(tmp_path / "t.csv", rows + bad))
    assert (run.rows_new, run.rows_rejected) == (50, 10)
    with open(run.error_file, encoding="utf-8-sig") as fh:
        errors = list(csv.reader(fh))
    assert errors[0] == [*HEADER, "错误原因", "error_reason"]
    codes = {row[0]: row[-1].rsplit("[", 1)[1].rstrip("]") for row in errors[1:]}
    assert codes == {"B1": "posted_at", "B2": "posted_at", "B3": "direction_mismatch", "B4": "amount",
                     "B5": "amount", "B6": "unknown_account", "B7": "before_opening", rows[0][0]: "duplicate_in_file",
                     "B9": "type", "B10": "columns"}
    assert "日期" in errors[7][-2] or "早于" in errors[7][-2] or errors[7][-2]  # Chinese reason present
    first = snapshot()
    again = ingest(write(tmp_path / "t2.csv", rows))
    assert (again.rows_new, again.rows_duplicate, again.rows_rejected) == (0, 50, 0)
    assert snapshot() == first
    changed = [[rows[1][0], rows[1][1], rows[1][2], rows[1][3], rows[1][4], "123.45"]]
    conflict = ingest(write(tmp_path / "t3.csv", changed))
    assert conflict.rows_rejected == 1 and snapshot() == first


def test_wrong_header_is_refused_and_nothing_written(world, tmp_path):
    from kehu.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        ingest(write(tmp_path / "h.csv", [["x"]], header=["id", "acct"]))
    assert AccountTransaction.objects.count() == 0


def test_breaches_and_triggers_files(world, tmp_path, capsys):
    nos = make_accounts(world, people=1)
    RuleParameter.objects.create(code="acct.class3_kyc_trigger_cumulative", value="3000.00",
                                 effective_from=date(2020, 1, 1), status=RuleParameter.Status.APPROVED)
    rows = [["a1", nos[2], "2024-02-29T09:00:00+08:00", "in", "bound_in", "2000.00"],
            ["a2", nos[2], "2024-02-29T09:00:00+08:00", "in", "inbound_nonbound", "0.01"],
            ["a3", nos[3], "2024-02-29T10:00:00+08:00", "out", "cash_withdrawal", "1000.00"]]
    ingest(write(tmp_path / "t.csv", rows))
    call_command("accounts_breaches", "-o", str(tmp_path / "b.csv"))
    call_command("accounts_triggers", "-o", str(tmp_path / "g.csv"))
    with open(tmp_path / "b.csv", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["txn_id", "rule"], ["a2", "class3_balance"], ["a3", "class3_cash"]]
    with open(tmp_path / "g.csv", encoding="utf-8") as fh:
        got = list(csv.reader(fh))
    task = RemediationTask.objects.get()
    number = task.customer.id_number
    assert got == [["id_number_masked", "customer_id", "trigger_txn_id", "trigger_date", "due_date"],
                   [number[:3] + "*" * 11 + number[-4:], str(task.customer_id), "a3", "2024-02-29", "2024-03-07"]]


def test_workers_give_the_same_result(world, tmp_path):
    nos = make_accounts(world, people=2)
    rows = make_rows(nos, 200, seed=5)
    ingest(write(tmp_path / "t.csv", rows), workers=2)
    two = snapshot()
    reset()
    ingest(write(tmp_path / "t.csv", rows), workers=1)
    assert snapshot() == two


def test_postgres_converts_in_sql_exactly_as_the_python_parse(world, tmp_path):
    """On PostgreSQL the file is COPYed and the plain rows converted in SQL; every other row goes back to
    the Python parse. The staged rows and the reasons must be the Python parse's, row for row."""
    from django.db import connection, transaction

    from kehu.accounts import ingest as module

    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    tricky = ["2024-02-29T23:59:59+08:00", "2023-02-29T10:00:00+08:00", "2024-12-31T16:00:00Z",
              "2024-12-31T16:00:00.5+00:00", "2024-01-01T00:00:00.123456-05:30", "1991-06-01T12:00:00+08:00",
              " 2024-03-01T10:00:00+08:00", "2024-03-01 10:00:00+08:00", "2024-03-01T24:00:00+08:00",
              "2024-04-31T10:00:00+08:00", "2024-03-01T10:00:00+0800", "2024-03-01T10:00:00+14:00",
              "2024-03-01T10:00:00+23:59", "2024-03-01T10:00:60+08:00", "2024-03-01T10:00:00z", "9999-01-01T00:00:00Z"]
    amounts = ["1", "1.5", "0.01", "0.00", "0", "12.", ".5", "0001.20", "9999999999999.99", "99999999999999",
               "1e3", " 7.00", "１.00"]
    rows, n = [], 0
    for when in tricky:
        for amount in amounts:
            n += 1
            txn_type = TYPES[n % len(TYPES)]
            direction = DIRECTION_OF[txn_type] if n % 17 else ("in" if DIRECTION_OF[txn_type] == "out" else "out")
            txn_id = f"T{n}" if n % 23 else f"T {n}"
            rows.append([txn_id, f"A{n % 5}" if n % 29 else "", when, direction, txn_type, amount])
    rows.append(["", "", "", "", "", ""])  # skipped by the Python reader, and here too
    rows.append(["Tx", "A1", "2024-03-01T10:00:00+08:00", "IN", "cash_deposit", "1.00"])
    path = write(tmp_path / "t.csv", rows)
    assert module._copyable(path)
    expected_good, expected_bad = module._parse_chunk(list(module._read(path)))
    with transaction.atomic():
        module._create_stage(True)
        total, good, bad = module._copy_raw(path)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {module.STAGE_COLUMNS} FROM acct_stage")
            staged = [tuple(r) for r in cursor.fetchall()]
        transaction.set_rollback(True)
    assert total == len(rows) - 1
    assert bad == expected_bad
    assert good  # some rows take the Python path
    normal = [(line, t, a, p.astimezone(SHANGHAI).replace(tzinfo=None) - timedelta(hours=8), d, y, di, ty, f)
              for line, t, a, p, d, y, di, ty, f in staged] + good
    assert sorted(normal) == sorted(expected_good)
    assert staged  # and some in SQL
