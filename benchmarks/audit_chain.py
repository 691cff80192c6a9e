"""Issue 11: appending to the keyed audit chain against the plain chain it replaced.

    python benchmarks/audit_chain.py --size 2000 --db sqlite
    python benchmarks/audit_chain.py --size full --db postgres     # 50,000 rows

ours: ``kehu.core.audit.audit_record`` as it is now: HMAC-SHA256 under the audit key, the org unit of the
row looked up from its customer (every row here concerns a customer), one transaction per row.
baseline: the same appends, in the same run on the same database, with the row hash computed the old way
(plain SHA-256) and the org unit passed in (no lookup), as before issue 11. Reported: rows appended per
second. Also: verifying the whole chain (``verify_chain``), rows per second, against the plain hash.
"""

from __future__ import annotations

import time

from harness import emit, parser, setup_django, size_of


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=2_000, full=50_000)
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    from django.db import transaction

    from kehu.core import audit
    from kehu.core.rules import audit_row_hash
    from kehu.core.services import org_unit_create
    from kehu.customers.events import CustomerEvent
    from kehu.customers.models import Customer

    unit = org_unit_create(code="HQ", name="总部", actor=None)
    customer = Customer.objects.create(kind="enterprise", name="基准测试有限公司", org_unit=unit, org_path=unit.path,
                                       uscc="91110000MA00000000")

    def append(count: int, **extra) -> float:
        start = time.perf_counter()
        for i in range(count):
            with transaction.atomic():
                audit.audit_record(actor=None, event_code=CustomerEvent.CUSTOMER_UPDATED, object_type="customer",
                                   object_id=customer.pk, customer_id=customer.pk, new={"i": i}, **extra)
        return time.perf_counter() - start

    keyed_hash = audit.audit_row_hmac
    ours = append(n)
    audit.audit_row_hmac = lambda key, prev, content: audit_row_hash(prev, content)
    try:
        baseline = append(n, org_path="/HQ/")
    finally:
        audit.audit_row_hmac = keyed_hash
    emit("audit_append_rows_per_s", ours=n / ours, baseline=n / baseline, n=n, db=db, unit="rows/s")

    from kehu.core.models import AuditEvent

    total = AuditEvent.objects.count()
    key = audit.audit_key()
    rows = list(AuditEvent.objects.order_by("pk"))
    start = time.perf_counter()
    for row in rows:
        keyed_hash(key, row.prev_hash, audit._content(row))
    ours_verify = time.perf_counter() - start
    start = time.perf_counter()
    for row in rows:
        audit_row_hash(row.prev_hash, audit._plain_content(row))
    base_verify = time.perf_counter() - start
    emit("audit_hash_rows_per_s", ours=total / ours_verify, baseline=total / base_verify, n=total, db=db,
         unit="rows/s")


if __name__ == "__main__":
    main()
