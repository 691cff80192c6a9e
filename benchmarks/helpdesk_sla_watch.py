"""The SLA watcher over many open tickets (Appendix B ``service.sla_watch``, every 15 minutes).

Builds N open tickets (a spread of received/due times so that some are warned, some breached, some
paused) with the checkpoints of their resolution clock (fractions 0.5, 0.8 and the due time, as
``services.schedule_checkpoints`` writes them; here on wall time to build fast), then times one full watcher
pass (set-based SQL over the pending checkpoints: breach insert + updates per warn level), rolled back after
each repetition so every pass sees the same data. Baseline: one plain count of the pending checkpoints joined
to their open tickets with the same predicates — the floor any watcher must pay to look at every row.

    python benchmarks/helpdesk_sla_watch.py --size small
    python benchmarks/helpdesk_sla_watch.py --size 1000000
"""

from __future__ import annotations

import random
from datetime import timedelta

from harness import emit, median_time, parser, setup_django, size_of


class _Rollback(Exception):
    pass


def main() -> None:
    p = parser(__doc__, small=5000, full=1_000_000)
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    from decimal import Decimal

    import credit_data
    from django.db import connection, transaction
    from django.utils import timezone

    from kehu.core.models import User
    from kehu.customers.models import Customer
    from kehu.helpdesk.models import SlaCheckpoint, Ticket
    from kehu.helpdesk.watch import OPEN_STATES, sla_watch

    credit_data.build(200)
    customers = list(Customer.objects.values_list("pk", "org_path"))
    user = User.objects.get(username="bench_cm")
    rng = random.Random(7)
    now = timezone.now()
    batch = 20000
    made = 0
    while made < n:
        rows = []
        for _ in range(min(batch, n - made)):
            cid, path = rng.choice(customers)
            received = now - timedelta(hours=rng.uniform(0, 200))
            due = received + timedelta(hours=rng.uniform(24, 240))
            rows.append(Ticket(kind="complaint", customer_id=cid, org_path=path, subject="bench",
                               created_by_id=user.pk, received_at=received, resolution_due=due,
                               state=rng.choice(OPEN_STATES),
                               paused_at=now if rng.random() < 0.05 else None))
        with transaction.atomic():
            Ticket.objects.bulk_create(rows, batch_size=2000)
            SlaCheckpoint.objects.bulk_create(
                [SlaCheckpoint(ticket_id=t.pk, clock="resolution", fraction=Decimal(f),
                               at=t.received_at + (t.resolution_due - t.received_at) * float(f))
                 for t in rows for f in ("0.5", "0.8", "1")], batch_size=6000)
        made += len(rows)

    counts = {}

    def ours():
        try:
            with transaction.atomic():
                counts.update(sla_watch(now=now))
                raise _Rollback
        except _Rollback:
            pass

    placeholders = ", ".join(["%s"] * len(OPEN_STATES))

    def baseline():
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM helpdesk_slacheckpoint k JOIN helpdesk_ticket t ON t.id = k.ticket_id "
                        f"WHERE k.done_at IS NULL AND t.state IN ({placeholders}) AND t.paused_at IS NULL "
                        "AND k.at <= %s", [*OPEN_STATES, connection.ops.adapt_datetimefield_value(now)])
            cur.fetchone()

    ours_s = median_time(ours, repeat=args.repeat)
    base_s = median_time(baseline, repeat=args.repeat)
    emit("helpdesk_sla_watch_pass_seconds", ours=ours_s, baseline=base_s, n=n, db=db, unit="s", better="lower",
         breached=counts.get("breached"), warned=counts.get("warned"))


if __name__ == "__main__":
    main()
