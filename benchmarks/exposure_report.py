"""P8 (../shared/docs/performance.md): the large-credit report.

N customers with one comprehensive line each (skewed sizes) and 5·N facilities (uses with outstanding,
margin and net exposure across products). "Ours" is the month-end path: ``exposure.services.month_freeze``
(per customer and product: line, outstanding, exposure, on/off balance sheet, five-category
classification, the 357号 reporting line) followed by ``report_draft`` (threshold, rows, validation). The
baseline is the bare SQL aggregate of the same figures (GROUP BY customer and product over the
facilities, and the lines per customer), fetched.

    python benchmarks/exposure_report.py --size small
    python benchmarks/exposure_report.py --db postgres --size 100000
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from harness import emit, parser, setup_django, size_of

PRODUCTS = ["loan", "trade_finance", "discount", "acceptance", "letter_of_credit", "letter_of_guarantee"]
CLASSES = ["normal"] * 90 + ["special_mention"] * 6 + ["substandard", "doubtful", "loss"] * 1 + ["normal"]


def facilities(n_per: int = 5, batch: int = 20000) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from kehu.credit.models import CreditLine, CreditUse

    rng = random.Random(11)
    now = timezone.now()
    rows, count = [], 0
    lines = CreditLine.objects.filter(kind="customer").values_list("pk", "customer_id", "line_amount").iterator(
        chunk_size=10000)
    for pk, cid, amount in lines:
        for _ in range(n_per):
            o = (amount * Decimal(rng.randint(1, 15)) / 100).quantize(Decimal("0.01"))
            product = rng.choice(PRODUCTS)
            margin = (o * Decimal(rng.choice([0, 0, 10, 30, 100])) / 100).quantize(Decimal("0.01"))
            rows.append(CreditUse(line_id=pk, customer_id=cid, product=product, original_amount=o,
                                  original_currency="CNY", amount=o, outstanding_amount=o, margin_amount=margin,
                                  exposure_amount=o - margin, classification=rng.choice(CLASSES), status="posted",
                                  reserved_until=now))
            if len(rows) >= batch:
                with transaction.atomic():
                    CreditUse.objects.bulk_create(rows)
                count += len(rows)
                rows = []
    with transaction.atomic():
        CreditUse.objects.bulk_create(rows)
        count += len(rows)
        with connection.cursor() as cur:
            cur.execute("UPDATE credit_creditline SET outstanding_amount = (SELECT COALESCE(SUM(outstanding_amount), 0)"
                        " FROM credit_credituse u WHERE u.line_id = credit_creditline.id), exposure_amount = "
                        "(SELECT COALESCE(SUM(exposure_amount), 0) FROM credit_credituse u "
                        "WHERE u.line_id = credit_creditline.id)")
    return count


def main() -> None:
    p = parser(__doc__, small=2000, full=1_000_000)
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    import credit_data
    from django.db import connection

    t0 = time.perf_counter()
    credit_data.build(n)
    n_fac = facilities()
    gen_s = time.perf_counter() - t0

    from kehu.exposure import services

    periods = iter(f"{2001 + i // 12:04d}-{i % 12 + 1:02d}" for i in range(1000))

    def ours():
        period = next(periods)
        services.month_freeze(actor=None, period=period)
        services.report_draft(actor=None, period=period, org_code="B1", preparer="p", phone="1", reviewer="r")

    def baseline():
        with connection.cursor() as cur:
            cur.execute("SELECT customer_id, product, classification, SUM(outstanding_amount), SUM(exposure_amount) "
                        "FROM credit_credituse WHERE outstanding_amount > 0 GROUP BY customer_id, product, "
                        "classification")
            cur.fetchall()
            cur.execute("SELECT customer_id, line_type, status, SUM(line_amount) FROM credit_creditline WHERE "
                        "kind = 'customer' AND status IN ('active', 'frozen', 'expired', 'renewal_pending', "
                        "'exited') GROUP BY customer_id, line_type, status")
            cur.fetchall()

    def median(fn):
        fn()
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        samples.sort()
        return samples[len(samples) // 2]

    base_s = median(baseline)
    ours_s = median(ours)
    from kehu.exposure.models import StatFreeze

    last = StatFreeze.objects.order_by("-pk").first().period

    def draft_only():
        services.report_draft(actor=None, period=last, org_code="B1", preparer="p", phone="1", reviewer="r")

    def draft_sql():
        with connection.cursor() as cur:
            cur.execute("SELECT f.customer_id, c.uscc, c.name, f.report_line_amount, f.outstanding_amount, "
                        "f.exposure_amount, f.report_basis, f.carried_forward FROM exposure_frozenposition f JOIN "
                        "customers_customer c ON c.id = f.customer_id JOIN exposure_statfreeze s ON s.id = f.freeze_id "
                        "WHERE s.period = %s AND f.product = '' AND f.report_line_amount >= %s", [last, 100000000])
            cur.fetchall()

    draft_base = median(draft_sql)
    draft_s = median(draft_only)
    from kehu.exposure.models import LargeCreditReport

    rows = LargeCreditReport.objects.order_by("-pk").first().rows.count()
    emit("P8_large_credit_report", ours=ours_s, baseline=base_s, n=n, db=db, unit="s", better="lower",
         facilities=n_fac, report_rows=rows, data_generation_s=round(gen_s, 1), target="<=30 s and ratio<=1.5",
         note="ours = month_freeze (writes every customer's frozen positions) + report_draft; baseline = the bare "
              "GROUP BY aggregates fetched")
    emit("P8b_large_credit_table_from_freeze", ours=draft_s, baseline=draft_base, n=n, db=db, unit="s",
         better="lower", report_rows=rows,
         note="ours = report_draft (rows, on/off split, groups, validation, XML check) from a frozen month; "
              "baseline = one SELECT of the frozen rows above the threshold")


if __name__ == "__main__":
    main()
