"""P3 (../shared/docs/performance.md): the limit invariant under load.

Worker processes run random reserve / post / release / repay / line change / expiry operations through
the services on a few hot lines; every few seconds one worker is killed with SIGKILL (mid-transaction
more often than not) and a new one started. After the run, SQL counts the violations of
outstanding + reserved <= line (and <= sub-limit) and the counters that differ from the sum of their
uses. Target: 0. The baseline column holds the same workload's operations per second without kills.

    python benchmarks/credit_invariant.py --size small
    python benchmarks/credit_invariant.py --db postgres --size 20000
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from harness import emit, parser, setup_django, size_of

WORKERS = 8
LINES = 12


def worker(args) -> None:
    setup_django(args, fresh=False)
    from django.utils import timezone

    from kehu.core.errors import DomainError
    from kehu.core.models import User
    from kehu.credit import services
    from kehu.credit.models import CreditLine, CreditUse

    rng = random.Random(os.getpid())
    cm, approver = User.objects.get(username="bench_cm"), User.objects.get(username="bench_approver")
    lines = list(CreditLine.objects.filter(kind="customer").order_by("pk").values_list("pk", flat=True))[:LINES]
    done, failures = 0, {}
    for _ in range(args.ops):
        line = rng.choice(lines)
        op = rng.choices(["reserve", "post", "release", "repay", "adjust", "expire"], [40, 20, 10, 20, 5, 5])[0]
        try:
            if op == "reserve":
                services.use_reserve(actor=cm, line_id=line, product=rng.choice(["loan", "acceptance"]),
                                     amount=str(rng.randint(1, 40_000)))
            elif op == "adjust":
                services.line_adjust(actor=approver, line_id=line, line_amount=str(rng.randint(60_000, 200_000)),
                                     reason="bench")
            elif op == "expire":
                services.use_expire_due(now=timezone.now() + timezone.timedelta(days=4), limit=3)
            else:
                use = (CreditUse.objects.filter(line_id=line).exclude(status="settled")
                       .order_by("?").values_list("pk", flat=True).first())
                if use is not None:
                    getattr(services, "use_" + op)(actor=cm, use_id=use)
        except DomainError:
            pass
        except Exception as exc:  # a database error is a finding: counted and reported, the worker goes on
            key = type(exc).__name__ + ": " + str(exc).splitlines()[0][:80]
            failures[key] = failures.get(key, 0) + 1
            if os.environ.get("BENCH_TRACE"):
                import traceback

                traceback.print_exc()
        done += 1
    import json

    print(json.dumps({"done": done, "failures": failures}), flush=True)


def violations() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM credit_creditline WHERE outstanding_amount + reserved_amount > "
                    "line_amount + temp_amount OR outstanding_amount < 0 OR reserved_amount < 0")
        bad = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM credit_sublimit WHERE outstanding_amount + reserved_amount > limit_amount")
        bad += cur.fetchone()[0]
        cur.execute("""SELECT COUNT(*) FROM credit_creditline l WHERE
            l.outstanding_amount <> (SELECT COALESCE(SUM(u.outstanding_amount), 0) FROM credit_credituse u
                                     WHERE u.line_id = l.id)
            OR l.reserved_amount <> (SELECT COALESCE(SUM(u.reserved_amount), 0) FROM credit_credituse u
                                     WHERE u.line_id = l.id)""")
        bad += cur.fetchone()[0]
        cur.execute("""SELECT COUNT(*) FROM credit_sublimit s JOIN credit_creditline l ON l.id = s.line_id WHERE
            s.outstanding_amount <> (SELECT COALESCE(SUM(u.outstanding_amount), 0) FROM credit_credituse u
                                     WHERE u.line_id = l.id AND u.product = s.product)
            OR s.reserved_amount <> (SELECT COALESCE(SUM(u.reserved_amount), 0) FROM credit_credituse u
                                     WHERE u.line_id = l.id AND u.product = s.product)""")
        bad += cur.fetchone()[0]
    return bad


def spawn(args, ops: int) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--worker", "--ops", str(ops), "--db", args.db, "--pg-url", args.pg_url,
           "--home", args.home]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None if os.environ.get("BENCH_TRACE") else subprocess.DEVNULL, text=True)


def run(args, total: int, *, kill_every: float | None):
    """Run ``total`` operations over WORKERS processes; return (seconds, completed ops, kills, crashed workers,
    database errors by kind)."""
    per = max(1, total // WORKERS)
    procs = [spawn(args, per) for _ in range(WORKERS)]
    rng = random.Random(3)
    kills, completed, crashed, start = 0, 0, 0, time.perf_counter()
    failures: dict[str, int] = {}
    remaining = total
    last_kill = time.perf_counter()
    while procs:
        time.sleep(0.05)
        for proc in list(procs):
            if proc.poll() is not None:
                out = proc.stdout.read().strip()
                procs.remove(proc)
                if not out:
                    crashed += 1
                    continue
                result = json.loads(out.splitlines()[-1])
                completed += result["done"]
                for key, count in result["failures"].items():
                    failures[key] = failures.get(key, 0) + count
        if kill_every and procs and time.perf_counter() - last_kill > kill_every and remaining > per:
            victim = rng.choice(procs)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            procs.remove(victim)
            kills += 1
            remaining -= per // 2
            procs.append(spawn(args, per))  # a fresh worker takes over
            last_kill = time.perf_counter()
    return time.perf_counter() - start, completed, kills, crashed, failures


def main() -> None:
    p = parser(__doc__, small=800, full=100_000)
    p.add_argument("--worker", action="store_true")
    p.add_argument("--ops", type=int, default=0)
    args = p.parse_args()
    if args.worker:
        worker(args)
        return
    import tempfile

    args.home = args.home or tempfile.mkdtemp(prefix="kehu-bench-")
    n = size_of(args)
    db = setup_django(args)
    import credit_data

    credit_data.build(LINES, line_amount="100000.00")
    from django.db import connection

    connection.close()
    base_s, base_ops, *_ = run(args, max(WORKERS, n // 5), kill_every=None)
    seconds, ops, kills, crashed, failures = run(args, n, kill_every=3.0)
    bad = violations()
    emit("P3_invariant_violations", ours=bad, baseline=0, n=ops, db=db, unit="violations", better="lower",
         workers=WORKERS, kills=kills, crashed_workers=crashed, database_errors=failures, ops_per_s_with_kills=round(ops / seconds, 1),
         ops_per_s_without_kills=round(base_ops / base_s, 1), target="0 violations after >=100,000 operations",
         note="n counts operations completed by workers that were not killed; killed workers' operations in "
              "flight rolled back")


if __name__ == "__main__":
    main()
