"""Issue 17 (P12): the audit log without a global lock — appends from 8 threads, and verification speed.

    python benchmarks/audit_sealer.py --size 2000 --db sqlite
    python benchmarks/audit_sealer.py --size 200000 --db postgres --pg-url postgresql://postgres@127.0.0.1:5432/kehu_h8_bench

1. ``audit_append_8_threads_rows_per_s`` — 8 threads, each appending ``--appends`` rows, one transaction per
   row. ours: ``kehu.core.audit.audit_record`` as it is now (no lock; the sealer chains rows after commit,
   try-locking the head). baseline: the append of before issue 17 (lock the chain-head row, insert, hash
   the row against the previous one, update the head), run in the same process on the same database just
   before, its rows removed afterwards. Both end with every row chained (ours: after a final ``seal``).
2. ``audit_verify_rows_per_s`` — ``verify_chain`` over a table of ``--size`` sealed rows (written with
   ``audit_record_many`` in batches of 10,000 and sealed), against the baseline of reading the same rows and
   columns in the same batches without checking anything (the floor any verifier pays). Also reported:
   rows per CPU-second of the verifying process, which depends less on a shared machine's load.
3. ``audit_verify_parallel_rows_per_s`` — the same verification with ``--verify-workers`` processes
   (``verify_chain(workers=N)``, what ``kehu audit verify`` does by default on a long chain) against the single
   walk of step 2; its start-up (spawning and setting up Django in each process) is inside the time.
"""

from __future__ import annotations

import os
import threading
import time

from harness import emit, parser, setup_django, size_of


def locked_append(*, event_code: int, object_id: int, new: dict) -> None:
    """The append of before issue 17 (kehu.core.audit at commit dce0823), for the baseline."""
    from django.utils import timezone

    from kehu.core.audit import KEYED, Event, _content, _lock_head, audit_key, normalise_values
    from kehu.core.models import AuditChainHead, AuditEvent
    from kehu.core.rules import audit_row_hmac

    key = audit_key()
    head = _lock_head()
    row = AuditEvent(ts=timezone.now(), actor=None, actor_name="system", event_code=event_code,
                     event=Event.name_of(event_code), object_type="bench", object_id=str(object_id),
                     new_values=normalise_values(new), org_path="/HQ/", hash_version=KEYED, prev_hash=head.last_hash,
                     row_hash="", seal_seq=head.count + 1)  # its place, as the migration numbers old rows
    row.save(force_insert=True)
    row.row_hash = audit_row_hmac(key, head.last_hash, _content(row))
    AuditEvent.objects.filter(pk=row.pk).update(row_hash=row.row_hash)
    AuditChainHead.objects.filter(pk=head.pk).update(last_id=row.pk, last_hash=row.row_hash, count=head.count + 1)


def threaded(per_thread: int, threads: int, append) -> float:
    from django.db import connection, transaction

    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                for attempt in range(20):
                    try:
                        with transaction.atomic():
                            append(event_code=1120, object_id=t * per_thread + i, new={"t": t, "i": i})
                        break
                    except Exception as exc:  # SQLite "database is locked" under 8 writers: retry
                        if attempt == 19:
                            raise
                        time.sleep(0.01 * (attempt + 1))
                        del exc
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    barrier.wait()
    start = time.perf_counter()
    for th in pool:
        th.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return elapsed


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=2_000, full=10_000_000)
    p.add_argument("--appends", type=int, default=100, help="rows each of the 8 threads appends (default 100)")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--verify-workers", type=int, default=os.cpu_count() or 2,
                   help="processes of the parallel verification (default: the machine's cores)")
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    from django.db import transaction

    from kehu.core import audit
    from kehu.core.models import AuditChainHead, AuditEvent
    from kehu.core.rules import GENESIS_HASH

    def reset() -> None:
        AuditEvent.objects.all().delete()
        AuditChainHead.objects.update_or_create(pk=1, defaults={"last_id": 0, "last_hash": GENESIS_HASH, "count": 0})

    def ours_append(**kw) -> None:
        audit.audit_record(actor=None, object_type="bench", org_path="/HQ/", **kw)

    rows = args.appends * args.threads
    reset()
    base_s = threaded(args.appends, args.threads, locked_append)
    assert list(audit.verify_chain(checkpoint=False)) == []
    reset()
    ours_s = threaded(args.appends, args.threads, ours_append)
    audit.seal()
    problems = list(audit.verify_chain(checkpoint=False))
    assert problems == [] and audit.chain_status().pending == 0, problems[:5]
    emit("audit_append_8_threads_rows_per_s", ours=rows / ours_s, baseline=rows / base_s, n=rows, db=db,
         unit="rows/s", threads=args.threads, load=os.getloadavg()[0])

    # A large sealed table.
    reset()
    entries = [audit.AuditEntry(2002, "customer", i, customer_id=None, old={"phone": "139****1234"},
                                new={"phone": "138****5678", "round": i % 7}, channel="web") for i in range(10_000)]
    started = time.perf_counter()
    written = 0
    while written < n:
        part = entries[: min(10_000, n - written)]
        with transaction.atomic():
            audit.audit_record_many(actor=None, entries=part)
        written += len(part)
    audit.seal(batch_size=20_000)
    write_s = time.perf_counter() - started

    columns = audit._VERIFY_COLUMNS

    def plain_read() -> int:
        last, count = 0, 0
        sealed = AuditEvent.objects.filter(seal_seq__isnull=False).order_by("seal_seq")
        while True:
            batch = list(sealed.filter(seal_seq__gt=last).values_list(*columns)[:5000])
            if not batch:
                return count
            count += len(batch)
            last = batch[-1][1]

    start, cpu = time.perf_counter(), time.process_time()
    assert plain_read() == n
    base_v, base_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    problems = list(audit.verify_chain(checkpoint=False))
    ours_v, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert problems == [], problems[:5]
    emit("audit_verify_rows_per_s", ours=n / ours_v, baseline=n / base_v, n=n, db=db, unit="rows/s",
         ours_rows_per_cpu_s=round(n / ours_cpu), baseline_rows_per_cpu_s=round(n / base_cpu),
         seconds=round(ours_v, 1), p12_target=100_000, bulk_write_and_seal_rows_per_s=round(n / write_s),
         load=os.getloadavg()[0])

    start = time.perf_counter()
    problems = list(audit.verify_chain(checkpoint=False, workers=args.verify_workers))
    par_v = time.perf_counter() - start
    assert problems == [], problems[:5]
    emit("audit_verify_parallel_rows_per_s", ours=n / par_v, baseline=n / ours_v, n=n, db=db, unit="rows/s",
         workers=args.verify_workers, seconds=round(par_v, 1), p12_target=100_000, cores=os.cpu_count(),
         load=os.getloadavg()[0])


if __name__ == "__main__":
    main()
