"""P11: customer import of an N-row CSV with 1 % bad rows against a raw bulk load of the same file.

    python benchmarks/bulk_import.py --size 2000 --db sqlite
    python benchmarks/bulk_import.py --size full --db postgres     # 1,000,000 rows

ours: ``kehu.bulk.services.run_import`` (mode upsert, every row through the archive services: validation,
encryption, blind index, pinyin, per-customer audit, per-chunk ledger, error file).
baseline: parse the same CSV and ``Customer.objects.bulk_create`` the rows unvalidated, in the same run on
the same (emptied) database. Also checked: the error file holds exactly the bad rows; a second run of the
same file creates nothing.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
from pathlib import Path

from harness import emit, parser, setup_django, size_of

HEADER = ["客户类型", "客户名称", "统一社会信用代码", "法定代表人", "注册资本"]


def make_file(path: Path, n: int) -> int:
    from kehu.customers.generators import make_uscc

    rng = random.Random(11)
    seen: set[str] = set()
    bad = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(n):
            code = make_uscc(rng)
            while code in seen:
                code = make_uscc(rng)
            seen.add(code)
            if i % 100 == 99:  # 1 % bad rows: a wrong check character (the right one is unique)
                code = code[:17] + ("1" if code[17] == "0" else "0")
                bad += 1
            writer.writerow(["企业", f"测试企业{i}有限公司", code, "王五", "1000000.00"])
    return bad


def main() -> None:
    p = parser(__doc__.splitlines()[0], small=2_000, full=1_000_000)
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    from django.db import transaction

    from kehu.bulk.models import ImportJob
    from kehu.bulk.services import run_import
    from kehu.core import services as core_services
    from kehu.core.models import OrgUnit
    from kehu.customers.models import Customer

    core_services.org_unit_create(code="HQ", name="总部", actor=None)
    unit = OrgUnit.objects.get(code="HQ")
    path = Path(tempfile.mkdtemp(prefix="kehu-bulk-")) / "customers.csv"
    bad = make_file(path, n)

    start = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    with transaction.atomic():
        Customer.objects.bulk_create(
            [Customer(kind="enterprise", name=r[1], uscc=r[2], org_unit=unit, org_path=unit.path) for r in rows],
            batch_size=2000)
    baseline = time.perf_counter() - start
    Customer.objects.all().delete()

    start = time.perf_counter()
    job = run_import(actor=None, target="customers", path=path, org_code="HQ")
    ours = time.perf_counter() - start
    with open(job.error_file, encoding="utf-8-sig", newline="") as fh:
        error_rows = len(list(csv.reader(fh))) - 1
    again = run_import(actor=None, target="customers", path=path, org_code="HQ")
    emit("bulk_import_rows_per_s", ours=n / ours, baseline=n / baseline, n=n, db=db, unit="rows/s",
         created=job.rows_created, rejected=job.rows_rejected, bad_rows=bad, error_file_rows=error_rows,
         error_file_exact=error_rows == bad and job.rows_rejected == bad,
         second_run_created=again.rows_created, jobs=ImportJob.objects.count(), target_rows_per_s=10_000)


if __name__ == "__main__":
    main()
