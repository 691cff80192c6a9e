"""Trade credit: order placement with the L-5 credit check against a plain insert of the same orders, and the
monthly limit recalculation against a plain INSERT ... SELECT over the same rows.

    python benchmarks/trade_orders.py --size 20000 --db sqlite
    python benchmarks/trade_orders.py --size 200000 --db postgres --repeat 3 --orders 5000

Data: ``--size`` active customers (``customers_data``) with twelve months of trade facts (``trade_facts_data``:
a sales record, a delivery, an invoice and mostly a payment per month) and a grade for the period, spread
over A-E by id.

``order_place_per_second`` — ours: ``order_place`` for ``--orders`` orders spread over the first
``--order-customers`` customers (each call: scope check, admission guard and customer lock, account lock, the
exposure aggregate over the customer's invoices, payments, deliveries and open orders, the order row, its
status-history row and the audit row), one transaction each, ``--workers`` threads. Baseline: the same number
of orders inserted as plain rows (``SalesOrder.objects.create``), one transaction each, same threads.

``limit_recalc_seconds`` — ours: ``credit_limits_recalculate`` for the period from empty credit tables (every
graded customer gets an account; those with credit a pending increase). Baseline: one plain INSERT ... SELECT
that reads the same grade rows and twelve months of sales and writes one row per graded customer (a sum, no
formula). ``limit_recalc_rerun_seconds``: the same recalculation again on unchanged data (nothing to write).
"""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from decimal import Decimal

import customers_data
import trade_facts_data
from harness import emit, parser, size_of

P = date(2026, 10, 1)
FROM = date(2025, 10, 1)


def _grades(connection, transaction) -> int:
    from kehu.grading.models import GradeResult

    if not GradeResult.objects.filter(period=P).exists():
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO grading_graderesult (period, customer_id, org_path, policy_version, raw_volume, "
                "raw_fulfilment, raw_on_time, raw_overdue_days, raw_licence_ok, raw_sued, raw_archive_complete, "
                "raw_disqualified, weight_volume, weight_fulfilment, weight_payment, weight_operating, weight_financial, "
                "score_volume, score_fulfilment, score_payment, score_operating, score_financial, total_score, "
                "computed_grade, knockout, cap, grade, "
                "previous_grade, change, overridden) "
                f"SELECT '{P.isoformat()}', c.id, c.org_path, 1, 0, NULL, NULL, 0, TRUE, FALSE, TRUE, FALSE, "
                "30, 25, 30, 15, 0, 0, 25, 30, 15, 0, 70, 'C', '', '', "
                "CASE c.id % 5 WHEN 0 THEN 'A' WHEN 1 THEN 'B' WHEN 2 THEN 'C' WHEN 3 THEN 'D' ELSE 'E' END, "
                "'', NULL, FALSE FROM customers_customer c WHERE c.admission_status = 'active'")
    return GradeResult.objects.filter(period=P).count()


def _clear_credit(connection, transaction) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        for table in ("trade_orderstatuschange", "trade_salesorder", "trade_limitchange", "trade_creditlimit",
                      "trade_creditaccount"):
            cur.execute(f"DELETE FROM {table}")


def _run_threads(workers: int, jobs: list, call) -> float:
    from django.db import connection

    chunks = [jobs[i::workers] for i in range(workers)]
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(chunk):
        try:
            barrier.wait()
            for job in chunk:
                call(job)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return elapsed


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=20_000, full=1_000_000)
    customers_data.add_reuse(p)
    p.add_argument("--orders", type=int, default=2000, help="orders placed per timed pass")
    p.add_argument("--order-customers", type=int, default=200, help="customers the orders are spread over")
    p.add_argument("--workers", type=int, default=1, help="threads placing orders")
    p.add_argument("--skip-recalc", action="store_true")
    args = p.parse_args()
    n = size_of(args)
    db = customers_data.prepare(args, n)
    from django.db import connection, transaction

    from kehu.core import services as core_services
    from kehu.core.models import OrgUnit, User
    from kehu.customers.models import Customer
    from kehu.trade.models import OrderStatus, SalesOrder
    from kehu.tradecredit.models import CreditAccount, LimitChange
    from kehu.tradecredit.services import credit_limits_recalculate, order_place

    Customer.objects.exclude(admission_status="active").update(admission_status="active")
    facts = trade_facts_data.build(P, months=12)
    graded = _grades(connection, transaction)

    if not args.skip_recalc:
        ours, base, rerun = [], [], []
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_recalc")
            cur.execute("CREATE TABLE bench_recalc (customer_id BIGINT, months INTEGER, total NUMERIC(20, 2))")
        result = None
        for _i in range(max(1, args.repeat)):
            _clear_credit(connection, transaction)
            t0 = time.perf_counter()
            result = credit_limits_recalculate(actor=None, period=P)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            credit_limits_recalculate(actor=None, period=P)
            rerun.append(time.perf_counter() - t0)
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("DELETE FROM bench_recalc")
                t0 = time.perf_counter()
                cur.execute(
                    "INSERT INTO bench_recalc (customer_id, months, total) "
                    "SELECT g.customer_id, COUNT(s.id), COALESCE(SUM(s.amount), 0) FROM grading_graderesult g "
                    "LEFT JOIN trade_salesrecord s ON s.customer_id = g.customer_id AND s.period >= %s "
                    "AND s.period < %s WHERE g.period = %s GROUP BY g.customer_id", [FROM, P, P])
                base.append(time.perf_counter() - t0)
        pending = LimitChange.objects.filter(status="pending").count()
        emit("limit_recalc_seconds", ours=min(ours), baseline=min(base), n=graded, db=db, unit="s", better="lower",
             customers_per_second=round(graded / min(ours)), accounts=CreditAccount.objects.count(),
             pending_increases=pending, decreased=result.decreased if result else None, facts=facts)
        emit("limit_recalc_rerun_seconds", ours=min(rerun), baseline=min(base), n=graded, db=db, unit="s",
             better="lower")

    # ---- order placement
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    user = User.objects.filter(username="bench_sales").first() or core_services.user_create(
        username="bench_sales", org_code=root.code, roles=["customer_manager"], password="Bench-2026-pass",
        actor=None)
    customers = list(Customer.objects.filter(admission_status="active").order_by("pk")
                     .values_list("pk", flat=True)[:args.order_customers])
    _clear_credit(connection, transaction)
    for cid in customers:
        CreditAccount.objects.create(customer_id=cid, limit_amount=Decimal("5000000.00"), term_days=30)
    rng = random.Random(7)
    ours_rates, base_rates, held = [], [], 0
    for rep in range(max(1, args.repeat) + 1):  # the first pass warms up
        jobs = [(f"B{rep}-{i}", rng.choice(customers), Decimal(rng.randrange(1000, 200000))) for i in
                range(args.orders)]

        def place(job, user=user):
            number, cid, amount = job
            order_place(actor=user, customer_id=cid, number=number, amount=amount, ordered_on=P)

        elapsed = _run_threads(args.workers, jobs, place)
        if rep:
            ours_rates.append(len(jobs) / elapsed)
        jobs = [(f"R{rep}-{i}", cid, amount) for i, (_n, cid, amount) in enumerate(jobs)]

        def plain(job, user=user):
            number, cid, amount = job
            with transaction.atomic():
                SalesOrder.objects.create(customer_id=cid, number=number, ordered_on=P, amount=amount,
                                          status=OrderStatus.ACCEPTED, created_by=user)

        elapsed = _run_threads(args.workers, jobs, plain)
        if rep:
            base_rates.append(len(jobs) / elapsed)
        SalesOrder.objects.filter(number__startswith="R").delete()
    held = SalesOrder.objects.filter(status=OrderStatus.CREDIT_HOLD).count()
    placed = SalesOrder.objects.count()
    import statistics

    emit("order_place_per_second", ours=statistics.median(ours_rates), baseline=statistics.median(base_rates),
         n=args.orders, db=db, unit="orders/s", better="higher", workers=args.workers,
         customers=len(customers), placed=placed, held=held, facts_per_customer_months=12)


if __name__ == "__main__":
    main()
