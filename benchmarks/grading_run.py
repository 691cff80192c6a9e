"""P7: the monthly grading run over N customers against a plain SQL scan-and-insert of the same rows.

    python benchmarks/grading_run.py --size 200000 --db sqlite --repeat 1
    python benchmarks/grading_run.py --size full --db postgres --reuse --repeat 1

ours: ``run_period`` (first with every customer's grade changing, then again with the grades in place; chunked INSERT ... SELECT with the policy's CASE expressions, the knock-out and
archive subqueries, overrides, grades written to the customers, checkpoint per chunk).
baseline: one INSERT ... SELECT of the same number of result rows with constant scores (the scan of the
customers and the write of the result rows, nothing computed), in the same run on the same database.
With ``--months N`` (default 12) every active customer gets N months of trade facts before the period
(``trade_facts_data``: a sales record, a delivery, an invoice and mostly a payment per month), and the
baseline then also scans the month's facts with plain GROUP BY aggregates joined to the customers, so
both sides read the same rows. ``--months 0`` leaves the facts out (archive/event part only).
"""

from __future__ import annotations

import time
from datetime import date

import customers_data
import trade_facts_data
from harness import emit, parser, size_of

P = date(2026, 10, 1)
BASE_P = date(1999, 1, 1)


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=20_000, full=1_000_000)
    customers_data.add_reuse(p)
    p.add_argument("--months", type=int, default=12, help="months of trade facts per customer (0: none)")
    args = p.parse_args()
    n = size_of(args)
    db = customers_data.prepare(args, n)
    from django.db import connection, transaction
    from django.db.models import Count

    from kehu.customers.models import Customer
    from kehu.grading.models import CustomerEvent, GradeResult, GradingRun, ScorecardPolicy
    from kehu.grading.services import policies
    from kehu.grading.services.run import results_digest, run_period

    Customer.objects.exclude(admission_status="active").update(admission_status="active")
    if not CustomerEvent.objects.exists():
        ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[::97])
        CustomerEvent.objects.bulk_create([CustomerEvent(customer_id=c, kind="sued_for_unpaid_goods",
                                                         occurred_on=date(2026, 9, 2)) for c in ids], batch_size=5000)
    if not ScorecardPolicy.objects.filter(status="approved").exists():
        policies.policy_approve(actor=None, policy_id=policies.policy_create(actor=None, name="bench").pk)
    graded = Customer.objects.filter(admission_status="active").count()
    facts = trade_facts_data.build(P, months=args.months) if args.months > 0 else {"created": False}
    from kehu.trade.models import SalesRecord

    trade_facts = SalesRecord.objects.exists()
    m1 = date(P.year - (P.month == 1), (P.month - 2) % 12 + 1, 1)  # the month M-1 the run scores
    m1_end = date(P.year, P.month, 1)
    lit = (lambda x: f"CAST('{x.isoformat()}' AS DATE)") if connection.vendor == "postgresql" else (
        lambda x: f"'{x.isoformat()}'")
    fact_joins = (
        f" LEFT JOIN (SELECT customer_id, SUM(amount) v FROM trade_salesrecord WHERE period = {lit(m1)} "
        "GROUP BY customer_id) s ON s.customer_id = c.id"
        f" LEFT JOIN (SELECT customer_id, ROUND(SUM(quantity_delivered) / NULLIF(SUM(quantity_due), 0), 4) q "
        f"FROM trade_delivery WHERE due_on >= {lit(m1)} "
        f"AND due_on < {lit(m1_end)} GROUP BY customer_id) d ON d.customer_id = c.id"
        f" LEFT JOIN (SELECT i.customer_id, ROUND(SUM(p.amount) / NULLIF(SUM(i.amount), 0), 4) paid "
        f"FROM trade_invoice i JOIN trade_payment p "
        f"ON p.invoice_id = i.id WHERE i.due_on >= {lit(m1)} AND i.due_on < {lit(m1_end)} GROUP BY i.customer_id) "
        "x ON x.customer_id = c.id") if trade_facts else ""
    fact_cols = "COALESCE(s.v, 0), d.q, x.paid" if trade_facts else "0, NULL, NULL"

    def clear(period):
        with transaction.atomic():
            GradeResult.objects.filter(period=period).delete()
            GradingRun.objects.filter(period=period).delete()

    ours_times, base_times, steady_times = [], [], []
    for _i in range(max(1, args.repeat)):
        clear(P)
        # The first run of a month in which every customer's grade changes (as after go-live): the grades the
        # last run wrote are cleared outside the timing.
        Customer.objects.exclude(grade="").update(grade="")
        t0 = time.perf_counter()
        run_period(actor=None, period=P)
        ours_times.append(time.perf_counter() - t0)
        # The same month graded again with the grades already in place (a re-run, or a month in which few grades
        # change): only changed grades are written to the customers.
        clear(P)
        t0 = time.perf_counter()
        run_period(actor=None, period=P)
        steady_times.append(time.perf_counter() - t0)
        digest = results_digest(P)
        by_grade = dict(GradeResult.objects.filter(period=P).values_list("grade").annotate(n=Count("id"))
                        .order_by("grade"))
        clear(BASE_P)
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO grading_graderesult (period, customer_id, org_path, policy_version, raw_volume, "
                "raw_fulfilment, raw_on_time, raw_overdue_days, raw_licence_ok, raw_sued, raw_archive_complete, "
                "raw_disqualified, weight_volume, weight_fulfilment, weight_payment, weight_operating, weight_financial, "
                "score_volume, score_fulfilment, score_payment, score_operating, score_financial, total_score, "
                "computed_grade, knockout, cap, grade, "
                "previous_grade, change, overridden) "
                f"SELECT '{BASE_P.isoformat()}', c.id, c.org_path, 1, {fact_cols}, 0, TRUE, FALSE, TRUE, FALSE, "
                "30, 25, 30, 15, 0, 0, 25, 30, 15, 0, 70, 'C', '', '', 'C', '', NULL, FALSE "
                f"FROM customers_customer c{fact_joins} WHERE c.admission_status = 'active'")
        base_times.append(time.perf_counter() - t0)
        clear(BASE_P)
    ours_s, base_s = min(ours_times), min(base_times)
    emit("grading_run_seconds", ours=ours_s, baseline=base_s, n=graded, db=db, unit="s", better="lower",
         trade_facts=trade_facts, months=args.months if trade_facts else 0, facts=facts,
         by_grade=by_grade, customers_per_second=round(graded / ours_s), digest=digest[:16])
    emit("grading_run_unchanged_grades_seconds", ours=min(steady_times), baseline=base_s, n=graded, db=db, unit="s",
         better="lower", trade_facts=trade_facts, months=args.months if trade_facts else 0,
         note="the month graded again with every customer's grade already in place")


if __name__ == "__main__":
    main()
