"""P6: transaction ingest with account-tier monitoring, against a raw bulk load of the same file.

    python benchmarks/accounts_ingest.py --size 200000 --db sqlite
    python benchmarks/accounts_ingest.py --size full --db postgres      # 10,000,000 transactions

The data: ``size / 10`` accounts (``--accounts``) held by half as many individuals (encrypted ID numbers and
blind indexes, as the archive stores them): 30 % Class I, 35 % Class II (a third of them opened without a
face-to-face check), 35 % Class III; ten transactions per account on average over 2024-01-01 .. 2025-03-31
(29 February and a new year inside), in file order not sorted by time, of every type, amounts skewed
(most small, a few large), offsets +08:00 and Z. Limits, balances and the ¥50,000 trigger all fire.

ours: ``kehu.accounts.ingest.ingest`` end to end — parse and validate every row, stage, reject, insert,
window sums per account/bucket/Shanghai day and year, balances, breaches, triggers, tasks — from an empty
transaction table. baseline: a raw bulk load of the same file into one table in the same run (SQLite:
``csv.reader`` + ``executemany`` in one transaction; PostgreSQL: ``COPY ... FROM STDIN`` of the file).
Reported: transactions/s of each and their ratio (target >= 50,000 tx/s and >= 0.3), and whether the
breaches and triggers are identical to ``reference()``, a plain Python computation written here on its own.

``--gate`` also measures gate checks (``services.transaction_check``) from 8 concurrent threads, each on
its own connection, against the same threads running the bare SQL sums a check needs (PostgreSQL target:
>= 2,000 checks/s).
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harness import emit, parser, setup_django, size_of

TYPES_IN = ["inbound_nonbound", "cash_deposit", "bound_in", "wealth_redeem", "loan_disburse"]
TYPES_OUT = ["consumption_payment", "outbound_nonbound", "cash_withdrawal", "bound_out", "wealth_buy", "loan_repay"]
DIRECTION = {**{t: "in" for t in TYPES_IN}, **{t: "out" for t in TYPES_OUT}}
START = datetime(2024, 1, 1, tzinfo=UTC) - timedelta(hours=8)
SPAN = int((datetime(2025, 4, 1, tzinfo=UTC) - START).total_seconds())


def make_people_and_accounts(n_accounts: int, seed: int = 3) -> list[tuple[str, str]]:
    """Insert the individuals and their accounts in bulk; return (account_no, tier)."""
    from customers_data import COLUMNS, _row
    from django.db import connection, transaction
    from django.utils import timezone
    from stdnum.cn import ric

    from kehu.core import services as core_services
    from kehu.core.crypto import keyring
    from kehu.core.models import OrgUnit
    from kehu.customers.models import Customer

    rng = random.Random(seed)
    if not OrgUnit.objects.filter(code="HQ").exists():
        core_services.org_unit_create(code="HQ", name="总行", actor=None)
    unit = OrgUnit.objects.get(code="HQ")
    ring = keyring()
    now = timezone.now()
    people = max(1, n_accounts // 2)
    sql = f"INSERT INTO {Customer._meta.db_table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    used: set[str] = set()
    rows = []
    for _ in range(people):
        while True:
            body = rng.choice(["110105", "310104", "440305"]) + (date(1960, 1, 1) + timedelta(
                days=rng.randrange(0, 365 * 40))).strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in used:
                used.add(number)
                break
        rows.append(_row(kind="individual", name="张" + rng.choice("伟芳娜敏静丽强磊军洋"), keys=("zhang", "z"), now=now,
                         org_unit_id=unit.pk, org_path=unit.path, manager_id=None, admission_status="active",
                         grade="", region="", phone="", address="", id_number=ring.encrypt(number),
                         id_number_hash=ring.blind_index(number)))
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(0, len(rows), 10_000):
            cursor.executemany(sql, rows[i:i + 10_000])
    ids = list(Customer.objects.filter(kind="individual").order_by("pk").values_list("pk", flat=True))
    accounts = []
    acct_rows = []
    for n in range(n_accounts):
        roll = rng.random()
        tier = "I" if roll < 0.30 else ("II" if roll < 0.65 else "III")
        identity = "five_elements" if tier == "III" or (tier == "II" and rng.random() < 0.33) else "face_to_face"
        no = f"62{n:014d}"
        accounts.append((no, tier))
        acct_rows.append((no, ids[n % len(ids)], tier, date(2023, 6, 1), "counter" if identity == "face_to_face"
                          else "online", "" if tier == "I" else "6200000000000000", True if tier != "I" else None,
                          "" if tier == "I" else "class1", identity, None, False, 0, now))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO accounts_personalaccount (account_no, customer_id, tier, opened_on, channel, "
            "bound_account_no, bound_same_bank, bound_kind, identity_check, identity_document_id, "
            "cross_sell_offered, balance_fen, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            acct_rows)
    return accounts


def make_file(path: Path, n: int, accounts: list[tuple[str, str]], seed: int = 5) -> None:
    rng = random.Random(seed)
    small = ["0.01", "9.90", "35.00", "88.80", "120.00", "300.00", "520.00", "999.99"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["txn_id", "account_no", "posted_at", "direction", "type", "amount"])
        for i in range(n):
            no, tier = accounts[rng.randrange(len(accounts))]
            t = rng.choice(TYPES_IN + TYPES_OUT)
            r = rng.random()
            amount = rng.choice(small) if r < 0.7 else (f"{rng.randrange(1000, 6000)}.00" if r < 0.97
                                                        else f"{rng.randrange(6000, 60000)}.50")
            moment = START + timedelta(seconds=rng.randrange(SPAN))
            stamp = (moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if i % 3 == 0
                     else (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00"))
            w.writerow([f"T{i:010d}", no, stamp, DIRECTION[t], t, amount])


# ------------------------------------------------------------------------------------- the reference

LIMITS = {"II": {"in": (1_000_000, 20_000_000), "out": (1_000_000, 20_000_000)},
          "III": {"in": (500_000, 10_000_000), "out": (200_000, 5_000_000)}}
BUCKET = {"II": {"inbound_nonbound": "in", "cash_deposit": "in", "consumption_payment": "out",
                 "outbound_nonbound": "out", "cash_withdrawal": "out"},
          "III": {"inbound_nonbound": "in", "consumption_payment": "out", "outbound_nonbound": "out"}}


def reference(path: Path, accounts: dict[str, tuple[int, str, bool]]) -> tuple[set, dict]:
    """Breaches {(txn_id, rule)} and triggers {customer_id: (txn_id, day, due)}, computed plainly: every
    row sorted by (UTC time, txn_id), counters in dicts, default limits (16号 / 302号), ¥50,000 and 7 days."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for txn_id, no, stamp, _direction, t, amount in reader:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
            whole, _, frac = amount.partition(".")
            rows.append((moment, txn_id, no, t, int(whole) * 100 + int((frac + "00")[:2])))
    rows.sort(key=lambda r: (r[0], r[1]))
    day_used: dict = {}
    year_used: dict = {}
    balance: dict = {}
    total: dict = {}
    breaches = set()
    triggers = {}
    for moment, txn_id, no, t, fen in rows:
        customer, tier, f2f = accounts[no]
        local = (moment + timedelta(hours=8)).date()
        if tier in ("II", "III"):
            bucket = BUCKET[tier].get(t)
            prefix = "class2_" if tier == "II" else "class3_"
            if bucket:
                d = day_used[(no, bucket, local)] = day_used.get((no, bucket, local), 0) + fen
                y = year_used[(no, bucket, local.year)] = year_used.get((no, bucket, local.year), 0) + fen
                if d > LIMITS[tier][bucket][0]:
                    breaches.add((txn_id, f"{prefix}{bucket}_day"))
                if y > LIMITS[tier][bucket][1]:
                    breaches.add((txn_id, f"{prefix}{bucket}_year"))
            if t in ("cash_deposit", "cash_withdrawal"):
                if tier == "III":
                    breaches.add((txn_id, "class3_cash"))
                elif not f2f:
                    breaches.add((txn_id, "class2_cash_without_f2f"))
        if tier == "III":
            balance[no] = balance.get(no, 0) + (fen if DIRECTION[t] == "in" else -fen)
            if DIRECTION[t] == "in" and balance[no] > 200_000:
                breaches.add((txn_id, "class3_balance"))
            total[customer] = total.get(customer, 0) + fen
            if customer not in triggers and total[customer] >= 5_000_000:
                triggers[customer] = (txn_id, local, local + timedelta(days=7))
    return breaches, triggers


# ------------------------------------------------------------------------------------- runs


def raw_load(path: Path, db: str) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_txn")
        cursor.execute("CREATE TABLE bench_raw_txn (txn_id varchar(64), account_no varchar(40), posted_at varchar(40), "
                       "direction varchar(3), type varchar(24), amount varchar(24))")
        if db == "postgresql":
            with path.open("rb") as fh, cursor.cursor.copy(
                    "COPY bench_raw_txn FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    copy.write(block)
        else:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                while True:
                    batch = [row for _, row in zip(range(50_000), reader, strict=False)]
                    if not batch:
                        break
                    cursor.executemany("INSERT INTO bench_raw_txn VALUES (%s, %s, %s, %s, %s, %s)", batch)
    elapsed = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_txn")
    return elapsed


def clear() -> None:
    from kehu.accounts.models import AccountTransaction, Breach, IngestRun, PersonalAccount, RemediationTask

    RemediationTask.objects.all().delete()
    Breach.objects.all().delete()
    AccountTransaction.objects.all().delete()
    IngestRun.objects.all().delete()
    PersonalAccount.objects.update(balance_fen=0)


def gate_checks(db: str, accounts: list[tuple[str, str]], seconds: float = 10.0, threads: int = 8) -> None:
    from django.db import connection

    from kehu.accounts import services

    limited = [no for no, tier in accounts if tier != "I"]

    def worker(kind: str, counter: list, stop: float, seed: int) -> None:
        rng = random.Random(seed)
        done = 0
        try:
            while time.perf_counter() < stop:
                no = limited[rng.randrange(len(limited))]
                moment = START + timedelta(seconds=rng.randrange(SPAN))
                if kind == "ours":
                    txn = services.parse_txn(txn_id=f"chk{seed}-{done}", account_no=no, posted_at=moment,
                                             direction="out", type="consumption_payment", amount="100.00")
                    services.transaction_check(actor=None, txn=txn)
                else:
                    day = (moment + timedelta(hours=8)).date()
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT id, customer_id, opened_on FROM accounts_personalaccount "
                                       "WHERE account_no = %s", [no])
                        account_id = cursor.fetchone()[0]
                        cursor.execute("SELECT SUM(CASE WHEN local_day = %s THEN amount_fen ELSE 0 END), "
                                       "SUM(amount_fen) FROM accounts_accounttransaction WHERE account_id = %s "
                                       "AND bucket = 'out' AND local_year = %s", [day, account_id, day.year])
                        cursor.fetchone()
                done += 1
        finally:
            counter.append(done)
            connection.close()

    rates = {}
    for kind in ("baseline", "ours"):
        counter: list[int] = []
        stop = time.perf_counter() + seconds
        pool = [threading.Thread(target=worker, args=(kind, counter, stop, i)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        rates[kind] = sum(counter) / seconds
    emit("accounts_gate_checks_per_s", ours=rates["ours"], baseline=rates["baseline"], n=threads, db=db,
         unit="checks/s", clients=threads, seconds=seconds)


def main() -> None:
    p = parser("P6: account-tier transaction ingest", small=20_000, full=10_000_000)
    p.add_argument("--accounts", type=int, default=0, help="accounts (default: size / 10)")
    p.add_argument("--workers", type=int, default=1, help="parsing processes of the ingest")
    p.add_argument("--gate", action="store_true", help="also measure gate checks with 8 concurrent threads")
    p.set_defaults(repeat=1)
    args = p.parse_args()
    n = size_of(args)
    n_accounts = args.accounts or max(10, n // 10)
    db = setup_django(args)
    from kehu.accounts.ingest import ingest
    from kehu.accounts.models import Breach, PersonalAccount, RemediationTask

    started = time.perf_counter()
    accounts = make_people_and_accounts(n_accounts)
    path = Path(tempfile.mkdtemp(prefix="kehu-p6-")) / "transactions.csv"
    make_file(path, n, accounts)
    print(f"  data: {n_accounts:,} accounts, {n:,} transactions in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)
    ours_s, raw_s = [], []
    for attempt in range(args.repeat):
        raw_s.append(raw_load(path, db))
        clear()
        t0 = time.perf_counter()
        run = ingest(path, workers=args.workers)
        ours_s.append(time.perf_counter() - t0)
        print(f"  run {attempt + 1}: ingest {ours_s[-1]:.1f}s, raw load {raw_s[-1]:.1f}s, {run.breaches:,} breaches, "
              f"{run.tasks_created:,} tasks", file=sys.stderr)
    ours_t, raw_t = sorted(ours_s)[len(ours_s) // 2], sorted(raw_s)[len(raw_s) // 2]
    emit("accounts_ingest_tx_per_s", ours=n / ours_t, baseline=n / raw_t, n=n, db=db, unit="tx/s",
         accounts=n_accounts, workers=args.workers, ingest_s=round(ours_t, 2), raw_load_s=round(raw_t, 2),
         breaches=run.breaches, tasks=run.tasks_created)

    info = {no: (cid, tier, ident == "face_to_face") for no, cid, tier, ident in
            PersonalAccount.objects.values_list("account_no", "customer_id", "tier", "identity_check")}
    t0 = time.perf_counter()
    want_breaches, want_triggers = reference(path, info)
    ref_s = time.perf_counter() - t0
    got_breaches = set(Breach.objects.values_list("txn__txn_id", "rule"))
    got_triggers = {c: (t, d, due) for c, t, d, due in RemediationTask.objects.values_list(
        "customer_id", "trigger_txn__txn_id", "trigger_date", "due_date")}
    same = got_breaches == want_breaches and got_triggers == want_triggers
    emit("accounts_ingest_flags_identical", ours=float(same), baseline=1.0, n=n, db=db, unit="bool",
         breaches=len(got_breaches), reference_breaches=len(want_breaches), triggers=len(got_triggers),
         reference_triggers=len(want_triggers), reference_s=round(ref_s, 2))
    if args.gate:
        gate_checks(db, accounts)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
