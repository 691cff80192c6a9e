"""P4 (../shared/docs/performance.md): duplicate submissions.

Rounds of 50 concurrent identical reservation requests sharing one idempotency key: each round must have
exactly one effect (one use, the line's reserved amount raised once). Then the throughput of 8 workers
reserving with a fresh key per request against the same workload without keys (target ratio >= 0.8).

    python benchmarks/credit_idempotency.py --size small
"""

from __future__ import annotations

import threading
import time
import uuid

from harness import emit, parser, setup_django, size_of

WORKERS = 8


def together(calls):
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main() -> None:
    p = parser(__doc__, small=400, full=10_000)
    p.add_argument("--rounds", type=int, default=10)
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    import credit_data
    from django.db import connection

    from kehu.core.models import User
    from kehu.core.selectors import access_for
    from kehu.credit import services
    from kehu.credit.models import CreditLine, CreditUse

    lines = credit_data.build(max(100, n // 10), line_amount="100000000000.00")["lines"]
    user = User.objects.get(username="bench_cm")
    access_for(user)
    exact = 0
    for r in range(args.rounds):
        line = lines[r]
        key = f"dup-{r}-{uuid.uuid4().hex}"
        results = together([lambda line=line, key=key: services.use_reserve(
            actor=user, line_id=line, product="loan", amount="123.45", idempotency_key=key)] * 50)
        uses = CreditUse.objects.filter(line_id=line).count()
        reserved = CreditLine.objects.get(pk=line).reserved_amount
        ids = {getattr(x, "pk", None) for x in results}
        exact += uses == 1 and str(reserved) == "123.45" and len(ids) == 1
    connection.close()
    emit("P4_duplicate_rounds_with_exactly_one_effect", ours=exact, baseline=args.rounds, n=args.rounds * 50, db=db,
         unit="rounds", target="every round: exactly 1 effect")

    pool = lines[args.rounds:]

    def throughput(with_key: bool) -> float:
        per = n // WORKERS
        barrier = threading.Barrier(WORKERS + 1)

        def work(w):
            try:
                barrier.wait()
                for i in range(per):
                    services.use_reserve(actor=user, line_id=pool[(w * per + i) % len(pool)], product="loan",
                                         amount="1.00", idempotency_key=uuid.uuid4().hex if with_key else "")
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(w,)) for w in range(WORKERS)]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        return per * WORKERS / (time.perf_counter() - start)

    throughput(True)  # warm-up
    samples_with, samples_without = [], []
    for _ in range(args.repeat):
        samples_without.append(throughput(False))
        samples_with.append(throughput(True))
    samples_with.sort()
    samples_without.sort()
    emit("P4_throughput_with_keys", ours=samples_with[len(samples_with) // 2],
         baseline=samples_without[len(samples_without) // 2], n=n, db=db, unit="reservations/s", workers=WORKERS,
         target="ratio>=0.8")


if __name__ == "__main__":
    main()
