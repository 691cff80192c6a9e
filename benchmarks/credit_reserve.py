"""P1, P2 and P5 (../shared/docs/performance.md): credit reservations through the exposure guard.

P1 — 8 concurrent workers reserving on many customers' lines through ``credit.services.use_reserve``,
     against a hand-written SQL transaction doing the same conditional UPDATE + INSERT.
P2 — 8 concurrent workers on one hot line, against a raw single-row conditional UPDATE loop.
P5 — on SQLite: the "database is locked" errors seen by 8 concurrent writers (target 0).

    python benchmarks/credit_reserve.py --size small
    python benchmarks/credit_reserve.py --db postgres --size 4000
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

from harness import emit, parser, setup_django, size_of

WORKERS = 8


def run_threads(fn, n_ops: int) -> tuple[float, list[Exception]]:
    """Run ``fn(worker, i)`` n_ops times spread over WORKERS threads; return (seconds, errors)."""
    from django.db import connection

    errors: list[Exception] = []
    barrier = threading.Barrier(WORKERS + 1)
    per = n_ops // WORKERS

    def worker(w):
        try:
            barrier.wait()
            for i in range(per):
                try:
                    fn(w, i)
                except Exception as exc:  # counted, the run goes on
                    errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, errors


def main() -> None:
    p = parser(__doc__, small=400, full=20000)
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    import credit_data
    from django.db import connection, transaction
    from django.utils import timezone

    from kehu.core.models import User
    from kehu.credit import services

    customers = max(100, n // 10)
    lines = credit_data.build(customers, line_amount="100000000000.00")["lines"]
    hot = lines[0]
    user = User.objects.get(username="bench_cm")
    from kehu.core.selectors import access_for

    access_for(user)  # warm the grant cache shared by the threads
    customer_of = dict(__import__("kehu.credit.models", fromlist=["CreditLine"]).CreditLine.objects
                       .filter(pk__in=lines).values_list("pk", "customer_id"))
    rng = random.Random(1)
    picks = [rng.choice(lines[1:]) for _ in range(n)]

    def ours_many(w, i):
        services.use_reserve(actor=user, line_id=picks[(w * 7919 + i) % n], product="loan", amount="100.00")

    def ours_hot(w, i):
        services.use_reserve(actor=user, line_id=hot, product="loan", amount="1.00")

    until = timezone.now() + timedelta(hours=72)

    def sql_reserve(line_id):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE credit_creditline SET reserved_amount = reserved_amount + %s, version = version + 1 "
                        "WHERE id = %s AND status = 'active' AND reserved_amount + %s <= line_amount + temp_amount "
                        "- outstanding_amount", ["100.00", line_id, "100.00"])
            if cur.rowcount != 1:
                raise RuntimeError("refused")
            cur.execute("UPDATE credit_sublimit SET reserved_amount = reserved_amount + %s WHERE line_id = %s AND "
                        "product = 'loan' AND reserved_amount + %s <= limit_amount - outstanding_amount",
                        ["100.00", line_id, "100.00"])
            cur.execute("INSERT INTO credit_credituse (line_id, customer_id, product, reference, original_amount, "
                        "original_currency, fx_rate, amount, reserved_amount, outstanding_amount, margin_amount, "
                        "low_risk_collateral_amount, exposure_amount, classification, status, reserved_until, "
                        "created_at, idempotency_key, request_fingerprint) VALUES (%s, %s, 'loan', '', %s, 'CNY', 1, "
                        "%s, %s, 0, 0, 0, 0, 'normal', 'reserved', %s, %s, '', '')", [line_id, customer_of[line_id], "100.00", "100.00", "100.00", until,
                                                timezone.now()])

    def base_many(w, i):
        sql_reserve(picks[(w * 7919 + i) % n])

    def base_hot(w, i):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE credit_creditline SET reserved_amount = reserved_amount + 1 WHERE id = %s AND "
                        "reserved_amount + 1 <= line_amount + temp_amount - outstanding_amount", [hot])

    def base_hot_insert(w, i):
        sql_reserve(hot)

    def statements() -> int:
        """SQL statements of one reservation (the audit row's included), counted on this connection."""
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            services.use_reserve(actor=user, line_id=lines[1], product="loan", amount="1.00")
        return sum(1 for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"])

    def timed(fn):
        samples, errs = [], []
        run_threads(fn, max(WORKERS, n // 10))  # warm-up
        for _ in range(args.repeat):
            seconds, errors = run_threads(fn, n)
            samples.append(seconds)
            errs += errors
        samples.sort()
        return n / samples[len(samples) // 2], errs

    ours1, e1 = timed(ours_many)
    base1, e1b = timed(base_many)
    emit("P1_reserve_many_customers", ours=ours1, baseline=base1, n=n, db=db, unit="reservations/s",
         workers=WORKERS, errors=len(e1), baseline_errors=len(e1b), target=">=1000/s and ratio>=0.5",
         statements=statements(),
         note="baseline: hand-written conditional UPDATE (line, sub-limit) + INSERT per transaction; ours also "
              "reads the line with its customer (scope, admission guard: the customer row locked FOR SHARE on "
              "PostgreSQL), writes the utilisation history and the audit row")
    ours2, e2 = timed(ours_hot)
    base2, e2b = timed(base_hot)
    base2i, _e2i = timed(base_hot_insert)
    emit("P2_reserve_one_hot_line", ours=ours2, baseline=base2, n=n, db=db, unit="reservations/s", workers=WORKERS,
         errors=len(e2), baseline_errors=len(e2b), target="ratio>=0.8",
         baseline_update_insert=round(base2i, 1), ratio_to_update_insert=round(ours2 / base2i, 4),
         note="baseline: raw single-row conditional UPDATE loop; baseline_update_insert: the hand-written "
              "conditional UPDATE (line, sub-limit) + INSERT on the same hot line")
    if db == "sqlite":
        locked = sum(1 for e in e1 + e2 if "locked" in str(e))
        emit("P5_sqlite_locked_errors", ours=locked, baseline=0, n=2 * n * (args.repeat + 1), db=db, unit="errors",
             better="lower", workers=WORKERS, target="0")


if __name__ == "__main__":
    main()
